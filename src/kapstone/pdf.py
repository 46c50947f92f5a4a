"""Printable documents: a Django template rendered to PDF with WeasyPrint, offline (docs/documents.md).

Every document extends ``documents/base.html``: its print stylesheet (``kapstone/print.css``, from
our own static files), the title and the practice as the PDF's title and author, and a footer with
the practice's name and "Page n of m" on every page. Fonts come from the system (DejaVu on Debian);
nothing is downloaded.

A document never reaches the network or the disk beyond our static files: ``StaticOnlyFetcher``
serves ``/static/...`` and inline ``data:`` URLs and refuses every other address (``http(s):``,
``file:``, ``ftp:``, another host), so a name or note that smuggles in a link or an image cannot make
the server fetch it. A refused resource is left out of the PDF and logged by WeasyPrint as a warning.
"""

from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative links in a document resolve against this address, which names no real host: our static
# files are served from it by the fetcher below, and nothing else is.
BASE_URL = "https://kapstone.invalid/"
PDF_CONTENT_TYPE = "application/pdf"


class FetchRefused(ValueError):
    """A document asked for something other than our own static files."""


def _static_bytes(name: str) -> bytes | None:
    """The bytes of one of our static files: collected (STATIC_ROOT, hashed names too) or found in
    the apps and STATICFILES_DIRS (development and tests, before collectstatic)."""
    try:
        if staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as handle:
                return handle.read()
        found = finders.find(name)
    except SuspiciousFileOperation:  # "../" out of the static directories
        return None
    if isinstance(found, list):  # find(all=True) only; one path otherwise
        found = found[0] if found else None
    if not found:
        return None
    with open(found, "rb") as handle:
        return handle.read()


class StaticOnlyFetcher(URLFetcher):
    """Serves our static files and ``data:`` URLs; refuses every other URL without opening it."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)  # decoded in memory by urllib's data handler
        parts = urlsplit(url)
        static_url = urlsplit(str(settings.STATIC_URL)).path
        base = urlsplit(BASE_URL)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
            static_url
        ):
            raise FetchRefused(f"Documents load only kapstone's own static files, not {url}")
        body = _static_bytes(unquote(parts.path[len(static_url) :]))
        if body is None:
            raise FetchRefused(f"No such static file: {parts.path}")
        content_type = "text/css" if parts.path.endswith(".css") else "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def render_pdf(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """The template rendered to a PDF's bytes.

    The template extends ``documents/base.html`` and fills ``title`` and ``content``; ``context``
    needs ``practice`` (the author, and the footer) unless ``request.practice`` gives it.
    """
    context = dict(context)
    if "practice" not in context:
        context["practice"] = getattr(request, "practice", None)
    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A download of ``pdf`` as ``filename``, never kept by a browser or proxy cache."""
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    # Only ASCII letters, digits and -_. reach the header: no quote, no header injection, no encoding.
    safe = "".join(c for c in filename if c.isascii() and (c.isalnum() or c in "-_.")) or "document.pdf"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["Cache-Control"] = "no-store"
    return response
