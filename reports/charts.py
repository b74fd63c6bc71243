"""Horizontal SVG bar charts for the PDF reports (cases by state, caseload, costs, waits).

Like `cases.charts`, the markup is built on the server with :func:`~django.utils.html.format_html`
and every piece of text (title, description, labels, values) goes through
:func:`~django.utils.html.escape`, which escapes even strings already marked safe: labels are
caseworkers' names, codebook entries and translations, all treated as untrusted. WeasyPrint does
not inherit the body font into SVG text, hence the explicit ``font-family`` on every text.
Coordinates are written with a dot decimal separator, never through Django's localisation.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

__all__ = ["Bar", "bar_chart_svg"]

BAR_COLOUR = "#1d4e89"
TEXT_COLOUR = "#333a44"
AXIS_COLOUR = "#8a94a3"
FONT_FAMILY = "DejaVu Sans, sans-serif"
FONT_SIZE = 11
# Roughly the advance of an average character of DejaVu Sans at FONT_SIZE, in px: labels
# longer than their column are shortened with an ellipsis rather than run into the bars.
CHAR_WIDTH = 6.8

MIN_WIDTH = 200
MARGIN_TOP = 4
MARGIN_BOTTOM = 4
LABEL_GAP = 6
VALUE_GAP = 5

_CHART_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Characters that may not appear in an XML 1.0 document; one in a label would break the SVG.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, and the text shown after it (by default the value)."""

    label: str
    value: float
    shown: str = ""

    @property
    def text(self) -> str:
        return self.shown or _num(self.value)


def _num(value: float) -> str:
    """``value`` with a dot decimal separator and at most one decimal (``14``, ``13.5``)."""
    rounded = round(value, 1)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    return f"{rounded:.1f}".removesuffix(".0")


def _text(value: object) -> SafeString:
    """Escape untrusted text for use as SVG character data or an attribute value."""
    return escape(_XML_INVALID_RE.sub("", str(value)))


def _shorten(label: str, width: float) -> str:
    """`label`, cut with an ellipsis when it would not fit in `width` px."""
    fits = max(int(width / CHAR_WIDTH), 4)
    return label if len(label) <= fits else label[: fits - 1].rstrip() + "…"


def bar_chart_svg(
    bars: Sequence[Bar],
    *,
    title: str,
    desc: str,
    width: int = 640,
    label_width: int = 200,
    value_width: int = 90,
    bar_height: int = 14,
    gap: int = 6,
    chart_id: str = "bar-chart",
) -> SafeString:
    """Return an inline SVG chart with one horizontal bar per item, in the given order.

    Labels sit right-aligned in a column of ``label_width`` px (shortened with "…" when too
    long; the full label is in each bar's ``<title>``), bars start at a common axis and are
    scaled to the largest value, and each bar's text (``Bar.shown``, e.g. a formatted amount)
    follows it. The height follows from the number of bars.

    ``title`` and ``desc`` (already translated) become the accessible name and description.
    With no bars this returns an empty ``SafeString``: the caller shows a text instead.

    Raises ``ValueError`` for a negative or non-finite value, an invalid ``chart_id`` or a
    width below 200 or too narrow for its columns.
    """
    if not bars:
        return SafeString("")
    if not _CHART_ID_RE.fullmatch(chart_id):
        raise ValueError("chart_id must start with a letter and contain only A-Z, 0-9, _ and -.")
    plot_width = width - label_width - value_width
    if width < MIN_WIDTH or plot_width < 40:
        raise ValueError("The chart is too narrow for its labels and values.")
    for bar in bars:
        if not (math.isfinite(bar.value) and bar.value >= 0):
            raise ValueError("Every value must be a finite number of at least 0.")

    largest = max(bar.value for bar in bars)
    row = bar_height + gap
    height = MARGIN_TOP + row * len(bars) - gap + MARGIN_BOTTOM
    axis_x = label_width
    material = repr(([(b.label, b.value, b.text) for b in bars], title, desc, width))
    uid = f"{chart_id}-{hashlib.sha256(material.encode('utf-8')).hexdigest()[:8]}"

    text_attrs = format_html(
        'font-family="{}" font-size="{}" fill="{}"', FONT_FAMILY, FONT_SIZE, TEXT_COLOUR
    )
    parts = []
    for index, bar in enumerate(bars):
        top = MARGIN_TOP + index * row
        baseline = top + bar_height / 2 + FONT_SIZE * 0.36
        length = bar.value / largest * plot_width if largest > 0 else 0.0
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="end" {}>{}</text>'
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}</title></rect>"
                '<text class="chart-value" x="{}" y="{}" {}>{}</text>',
                _num(axis_x - LABEL_GAP),
                _num(baseline),
                text_attrs,
                _text(_shorten(bar.label, label_width - LABEL_GAP)),
                _num(axis_x),
                _num(top),
                _num(length),
                bar_height,
                BAR_COLOUR,
                _text(f"{bar.label}: {bar.text}"),
                _num(axis_x + length + VALUE_GAP),
                _num(baseline),
                text_attrs,
                _text(bar.text),
            )
        )
    axis = format_html(
        '<line class="chart-axis" x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}"'
        ' stroke-width="1"/>',
        _num(axis_x),
        MARGIN_TOP - 2,
        _num(height - MARGIN_BOTTOM + 2),
        AXIS_COLOUR,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" role="img"'
        ' aria-labelledby="{uid}-title {uid}-desc" viewBox="0 0 {width} {height}"'
        ' width="{width}" height="{height}">'
        '<title id="{uid}-title">{title}</title><desc id="{uid}-desc">{desc}</desc>'
        "{bars}{axis}</svg>",
        uid=uid,
        width=width,
        height=_num(height),
        title=_text(title),
        desc=_text(desc),
        bars=format_html_join("", "{}", ((part,) for part in parts)),
        axis=axis,
    )
