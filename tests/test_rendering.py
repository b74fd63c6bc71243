"""The PDF renderer loads the app's static files and nothing else."""

import os
import shutil
import subprocess
import urllib.request

import pytest

from exitprog import pdf as rendering
from exitprog.pdf import RefusedURL, render_pdf
from exitprog.pdf_fetcher import StaticFilesURLFetcher


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(  # noqa: S603  (a fixed command on our own bytes)
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


@pytest.fixture
def spy(monkeypatch):
    """Record every URL the fetcher is asked for, and fail loudly if urllib opens anything."""
    asked: list[str] = []
    served: list[str] = []
    original = StaticFilesURLFetcher.fetch

    def fetch(self, url, headers=None):
        asked.append(url)
        response = original(self, url, headers)
        served.append(url)
        return response

    def never_open(*args, **kwargs):
        raise AssertionError(f"urllib was asked to open {args!r}")

    monkeypatch.setattr(StaticFilesURLFetcher, "fetch", fetch)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", never_open)
    return asked, served


@pytest.fixture
def template(settings, tmp_path):
    (tmp_path / "evil.html").write_text(
        '{% load static %}<html><head><link rel="stylesheet" href="{% static "reports/pdf.css" %}">'
        "</head><body><p>Hello</p><div>{{ text }}</div>{{ raw|safe }}</body></html>"
    )
    # Assigning TEMPLATES (not changing it in place) makes Django reload its engines.
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    return "evil.html"


HOSTILE = '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'


def test_user_text_is_escaped_and_fetches_nothing(template, spy):
    asked, served = spy
    pdf = render_pdf(template_name=template, context={"text": HOSTILE, "raw": ""})
    text = pdf_text(pdf)
    assert "Hello" in text
    assert 'src="file:///etc/passwd"' in text.replace("\n", "")  # printed as text
    assert not any("passwd" in url or "127.0.0.1" in url for url in asked)
    assert served == [f"{rendering.REPORT_ORIGIN}/static/reports/pdf.css"]


def test_markup_that_got_through_is_refused_by_the_fetcher(template, spy):
    asked, served = spy
    pdf = render_pdf(template_name=template, context={"text": "", "raw": HOSTILE})
    assert pdf.startswith(b"%PDF")
    assert "file:///etc/passwd" in asked
    assert "http://127.0.0.1:9/x.png" in asked
    assert served == [f"{rendering.REPORT_ORIGIN}/static/reports/pdf.css"]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/static/reports/pdf.css",
        "data:text/plain,hello",
        f"{rendering.REPORT_ORIGIN}/media/secret.pdf",
        f"{rendering.REPORT_ORIGIN}/static/../../etc/passwd",
        f"{rendering.REPORT_ORIGIN}/static/%2e%2e/%2e%2e/etc/passwd",
        "static:../settings.py",
        f"{rendering.REPORT_ORIGIN}/static/reports/missing.css",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(RefusedURL):
        StaticFilesURLFetcher().fetch(url)


@pytest.mark.parametrize(
    "url", [f"{rendering.REPORT_ORIGIN}/static/reports/pdf.css", "static:reports/pdf.css"]
)
def test_fetcher_serves_the_static_stylesheet(url):
    response = StaticFilesURLFetcher().fetch(url)
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    response.close()


def test_weasyprint_is_imported_only_when_a_pdf_is_made():
    """Beat, management commands and web workers start without WeasyPrint's second of
    imports: every app, the URLs and the Celery tasks load without it."""
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup();"
        "from django.urls import resolve; resolve('/');"
        "from exitprog.celery import app; app.loader.import_default_modules();"
        "print('weasyprint' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "exitprog.settings"}
    out = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "False", out.stderr
