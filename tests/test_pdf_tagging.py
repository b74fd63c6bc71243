"""Every PDF is tagged (PDF/UA-1: a structure tree, MarkInfo, the document's language in
/Lang) and hyphenates in that language without breaking Swedish compounds at their short ends
("skul-drådgivning")."""

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from exitprog.pdf import render_pdf
from tests.test_rendering import pdf_text

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"
# Narrow columns, as the report's interventions table: the first column is 12 % of the page.
TABLE = """{% load i18n static %}{% get_current_language as LANGUAGE_CODE %}<!DOCTYPE html>
<html lang="{{ LANGUAGE_CODE }}"><head><meta charset="utf-8"><title>Insatser</title>
<link rel="stylesheet" href="{% static "reports/pdf.css" %}"></head><body><h1>Insatser</h1>
<table class="data"><colgroup><col class="w12"><col class="w12"><col class="w12"><col class="w12">
<col class="w12"><col class="w40"></colgroup><thead><tr><th>Insats</th><th>A</th><th>B</th>
<th>C</th><th>D</th><th>E</th></tr></thead><tbody><tr>
<td>Budget- och skuldrådgivning, missbruksbehandling</td><td>x</td><td>x</td><td>x</td>
<td>x</td><td>x</td></tr></tbody></table></body></html>"""


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's bytes with every compressed stream (object streams too) inflated."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.fixture
def table(settings, tmp_path):
    (tmp_path / "table.html").write_text(TABLE)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    return "table.html"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_pdf_is_tagged_with_the_language_of_the_reader(table, language):
    with translation.override(language):
        pdf = render_pdf(template_name=table, context={})
    objects = pdf_objects(pdf)
    assert b"/StructTreeRoot" in objects
    assert b"/MarkInfo" in objects and b"/Marked true" in objects
    assert f"/Lang ({language})".encode() in objects
    assert b'pdfuaid:part="1"' in objects  # the PDF/UA-1 identification in the XMP metadata
    info = subprocess.run(  # noqa: S603  (a fixed command on our own bytes)
        [shutil.which("pdfinfo") or "/usr/bin/pdfinfo", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+Insatser$", info, re.M)


def test_swedish_compounds_are_not_broken_at_their_short_ends(table):
    with translation.override("sv"):
        text = pdf_text(render_pdf(template_name=table, context={}))
    words = re.findall(r"\S+", text)
    assert not any(re.fullmatch(r"skul[-\u2010]", w) for w in words), text
    assert not any(re.fullmatch(r"miss[-\u2010]", w) for w in words), text
    # Broken, the column being narrow, where the limits allow: five letters on each side.
    assert "skuldråd\u2010" in words or "skuldråd-" in words, text
    assert "givning," in words, text


def test_every_pdf_template_sets_the_document_language():
    pdf_templates = [
        TEMPLATES / "reports" / "pdf" / "base.html",
        TEMPLATES / "referrals" / "letter.html",
    ]
    for template in pdf_templates:
        source = template.read_text()
        assert "{% get_current_language as LANGUAGE_CODE %}" in source, template
        assert re.search(r'<html lang="\{\{ LANGUAGE_CODE \}\}"', source), template
