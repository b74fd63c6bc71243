"""No inline scripts or styles (the CSP forbids them), no CDN, and complete translations."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [*(ROOT / "templates").rglob("*.html")] + [
    p for app in ("accounts", "cases", "referrals", "reports") for p in (ROOT / app).rglob("*.html")
]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_style_or_cdn(path):
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert "<style" not in text
    assert not re.search(r"\sstyle=", text), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler"
    assert not re.search(r"(src|href)=\"(https?:)?//", text), "asset from another host"


def test_swedish_catalogue_translates_every_message():
    po = polib.pofile(str(ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated and not fuzzy, (untranslated, fuzzy)
    assert len(po.translated_entries()) > 100
