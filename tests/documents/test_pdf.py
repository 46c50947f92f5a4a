"""kapstone.pdf: a template printed with our stylesheet, the practice as author and in the footer, and
no fetch of anything but our own static files (docs/documents.md)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from weasyprint import HTML

from kapstone.pdf import pdf_response, render_pdf
from tests.factories import make_practice

from .helpers import pdf_metadata, pdf_pages, pdf_text

DOCUMENT = """{% extends "documents/base.html" %}
{% block title %}Letter for {{ name }}{% endblock %}
{% block content %}<h1>Dear {{ name }}</h1>{% for n in lines %}<p>Line {{ n }}</p>{% endfor %}{% endblock %}
"""


class Recorder(BaseHTTPRequestHandler):
    """A web server on this machine that notes every request and would serve a visible stylesheet."""

    seen: list[str] = []

    def do_GET(self):
        Recorder.seen.append(self.path)
        body = b'body::after { content: "FETCHED FROM THE NETWORK"; }'
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def practice(db):
    return make_practice(name="Riverbend KAP")


def test_a_document_is_a_pdf_with_title_author_and_a_footer_on_every_page(templates, practice):
    templates["letter.html"] = DOCUMENT
    pdf = render_pdf("letter.html", {"name": "Émilie Dubois", "lines": range(120), "practice": practice})
    assert pdf.startswith(b"%PDF-")
    metadata = pdf_metadata(pdf)
    assert metadata["/Title"] == "Letter for Émilie Dubois" and metadata["/Author"] == "Riverbend KAP"
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Riverbend KAP" in page and f"Page {number} of {len(pages)}" in page
    assert "Dear Émilie Dubois" in pages[0] and "Line 119" in pages[-1]


def test_the_practice_comes_from_the_request_when_the_context_has_none(templates, practice, rf):
    templates["letter.html"] = DOCUMENT
    request = rf.get("/")
    request.practice = practice
    pdf = render_pdf("letter.html", {"name": "A client", "lines": []}, request=request)
    assert pdf_metadata(pdf)["/Author"] == "Riverbend KAP"


def test_the_print_stylesheet_is_our_own_static_file(templates, practice):
    """The stylesheet is fetched (the footer is its work); a missing static file is simply left out."""
    missing = '{% load static %}<link rel="stylesheet" href="{% static "nope.css" %}">'
    templates["letter.html"] = DOCUMENT.replace("{% block content %}", "{% block content %}" + missing)
    text = pdf_text(render_pdf("letter.html", {"name": "A client", "lines": [], "practice": practice}))
    assert "Page 1 of 1" in text


def test_no_url_outside_our_static_files_is_fetched(templates, practice, server, tmp_path):
    """Links to a web server, to a file on disk and up out of /static/ are refused without opening."""
    leak = tmp_path / "leak.css"
    leak.write_text('body::before { content: "READ FROM THE DISK"; }')
    templates["letter.html"] = DOCUMENT.replace(
        "{% block content %}",
        "{% block content %}"
        f'<link rel="stylesheet" href="{server}/style.css">'
        f"<style>@import url({server}/imported.css);"
        f" @font-face {{ font-family: Remote; src: url({server}/font.woff2); }}"
        " h1 { font-family: Remote; }</style>"
        f'<img src="{server}/logo.png" alt="">'
        f'<img src="https://kapstone.invalid.example.org/pixel.png" alt="">'
        f'<link rel="stylesheet" href="file://{leak}">'
        '<link rel="stylesheet" href="/static/../../settings.py">',
    )
    pdf = render_pdf("letter.html", {"name": "A client", "lines": [], "practice": practice})
    assert Recorder.seen == []
    text = pdf_text(pdf)
    assert "FETCHED FROM THE NETWORK" not in text and "READ FROM THE DISK" not in text
    assert "Dear A client" in text and "Page 1 of 1" in text  # the document itself still prints


def test_without_our_fetcher_the_same_links_would_be_fetched(server, tmp_path):
    """The control: WeasyPrint's own fetcher opens both, so the silence above is our fetcher's doing."""
    leak = tmp_path / "leak.css"
    leak.write_text('body::before { content: "READ FROM THE DISK"; }')
    html = f'<link rel="stylesheet" href="{server}/style.css"><link rel="stylesheet" href="file://{leak}">'
    text = pdf_text(HTML(string=html + "<p>x</p>").write_pdf())
    assert Recorder.seen == ["/style.css"]
    assert "FETCHED FROM THE NETWORK" in text and "READ FROM THE DISK" in text


def test_a_pdf_response_is_an_attachment_no_cache_keeps():
    response = pdf_response(b"%PDF-1.7 test", 'consent "2026"\r\nX-Evil: é.pdf')
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="consent2026X-Evil.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response.content == b"%PDF-1.7 test"
