"""PDF rendering, shared by the apps (reports, referral letters): a Django template to PDF
with WeasyPrint, behind one locked URL fetcher.

Report templates hold user text (purposes, notes, names). Escaping stops it from becoming
markup, and the fetcher makes sure that even markup that got through cannot read a local
file or reach the network: it serves the app's own static files and refuses every other URL.
"""

import functools
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative and root-relative URLs of a report ("/static/reports/pdf.css") resolve against
# this origin. The .invalid top-level domain never resolves, and the fetcher never opens it:
# it only maps its paths under STATIC_URL to files the staticfiles finders know.
REPORT_ORIGIN = "https://exitprog.invalid"
REPORT_BASE_URL = f"{REPORT_ORIGIN}/"
# `static:reports/pdf.css` is accepted too.
STATIC_SCHEME = "static"


class RefusedURL(ValueError):
    """A report asked for a URL outside the app's static files."""


class StaticFilesURLFetcher(URLFetcher):
    """Serves only the app's static files; every other URL is refused.

    Never calls the parent's `fetch`, so no urllib handler (file, http, ftp, data) is ever
    opened. WeasyPrint turns the refusal into a warning and leaves the resource out.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)

    def static_path(self, url: str) -> str:
        """The path of `url` under STATIC_URL, or `RefusedURL`."""
        parts = urlsplit(url)
        if parts.scheme == STATIC_SCHEME and not parts.netloc:
            path = parts.path
        elif f"{parts.scheme}://{parts.netloc}" == REPORT_ORIGIN:
            prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            if not parts.path.startswith(prefix):
                raise RefusedURL(f"not a static file: {url}")
            path = parts.path.removeprefix(prefix)
        else:
            raise RefusedURL(f"refused: {url}")
        path = unquote(path).lstrip("/")
        if not path or any(part in ("", ".", "..") for part in path.split("/")):
            raise RefusedURL(f"not a static file: {url}")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self.static_path(url)
        found = finders.find(path)
        if not found or isinstance(found, list):
            raise RefusedURL(f"no such static file: {url}")
        file = Path(found)
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=file.read_bytes(), headers={"Content-Type": content_type}
        )


@functools.cache
def _fetcher() -> StaticFilesURLFetcher:
    """One fetcher per process: making one costs about 30 ms (the parent class builds urllib
    handlers and a TLS context that are never used), and it keeps no state between URLs."""
    return StaticFilesURLFetcher()


# PDF/UA-1: a tagged PDF (structure tree, MarkInfo) that screen readers can read, with the
# document's language (/Lang, from <html lang>, the active language) and its title.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(*, template_name: str, context: dict[str, Any]) -> bytes:
    """Render `template_name` with `context` (autoescaped) and return the PDF's bytes."""
    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=_fetcher())
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    if pdf is None:  # only when given a target to write to, which is not done here
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
