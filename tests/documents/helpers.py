"""Reading a PDF back as a person would: its text and its document properties."""

import io

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """All pages' text, with runs of white space made one space (PDF text breaks lines anywhere)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_pages(pdf: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_metadata(pdf: bytes) -> dict:
    return dict(PdfReader(io.BytesIO(pdf)).metadata or {})
