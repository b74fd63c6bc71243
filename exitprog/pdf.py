"""PDF rendering, shared by the apps (reports, referral letters): a Django template to PDF
with WeasyPrint, behind one locked URL fetcher.

Report templates hold user text (purposes, notes, names). Escaping stops it from becoming
markup, and the fetcher makes sure that even markup that got through cannot read a local
file or reach the network: it serves the app's own static files and refuses every other URL
(`exitprog.pdf_fetcher`).

WeasyPrint is imported when the first PDF is made, not with this module: it takes more than
a second to import, which every process that never makes a PDF (beat, a management command,
a web worker that serves no PDF) would pay at start.
"""

from typing import Any

from django.template.loader import render_to_string

# Relative and root-relative URLs of a report ("/static/reports/pdf.css") resolve against
# this origin. The .invalid top-level domain never resolves, and the fetcher never opens it:
# it only maps its paths under STATIC_URL to files the staticfiles finders know.
REPORT_ORIGIN = "https://exitprog.invalid"
REPORT_BASE_URL = f"{REPORT_ORIGIN}/"
# `static:reports/pdf.css` is accepted too.
STATIC_SCHEME = "static"


class RefusedURL(ValueError):
    """A report asked for a URL outside the app's static files."""


# PDF/UA-1: a tagged PDF (structure tree, MarkInfo) that screen readers can read, with the
# document's language (/Lang, from <html lang>, the active language) and its title.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(*, template_name: str, context: dict[str, Any]) -> bytes:
    """Render `template_name` with `context` (autoescaped) and return the PDF's bytes."""
    from weasyprint import HTML

    from exitprog.pdf_fetcher import fetcher

    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=fetcher())
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    if pdf is None:  # only when given a target to write to, which is not done here
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
