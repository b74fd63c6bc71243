"""Server-side SVG charts for case pages and PDF exports.

The charts are plain SVG markup built on the server, so they work without JavaScript, survive
the page's Content-Security-Policy (no inline ``style`` attributes, no ``<style>`` elements and
no scripts: only presentation attributes and CSS classes) and render in WeasyPrint, which does
not inherit the body font into SVG text, hence the explicit ``font-family`` on every text.

Every fragment is assembled with :func:`~django.utils.html.format_html`, and every piece of text
(title, description, stage labels, dates) goes through :func:`~django.utils.html.escape`, which
escapes even strings already marked safe: the stage labels come from translation catalogues and
are treated as untrusted.  Numbers are formatted here with a dot decimal separator and at most
one decimal, never through Django's localisation, because SVG coordinates need dots.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

__all__ = ["TrendPoint", "motivation_trend_svg"]

LINE_COLOUR = "#1d4e89"
TEXT_COLOUR = "#4a5360"
GRID_COLOUR = "#c9d0d9"
FONT_FAMILY = "DejaVu Sans, sans-serif"
FONT_SIZE = 11

MIN_WIDTH = 200
MIN_HEIGHT = 120
MAX_X_LABELS = 6

# Space around the plot area for the axis labels.  The right margin leaves room for half of the
# last date label, which is centred on its point.
MARGIN_LEFT = 44
MARGIN_RIGHT = 36
MARGIN_TOP = 14
MARGIN_BOTTOM = 34
# Points sit this far inside the plot area so that circles never touch the Y axis.
POINT_INSET = 14
POINT_RADIUS = 4
# Roughly the width of an ISO date at FONT_SIZE in DejaVu Sans, plus a gap.
X_LABEL_MIN_GAP = 70.0

_CHART_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Characters that may not appear in an XML 1.0 document (control characters, lone surrogates
# and the two non-characters); a stage label containing one would make the SVG unparseable.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class TrendPoint:
    """One assessment on the trend: its day, total score and stage-of-change label."""

    day: datetime.date
    score: float  # the total score of the assessment
    stage: str  # label of the stage of change, e.g. "Förberedelse" (already translated)


def _num(value: float) -> str:
    """Format ``value`` with a dot decimal separator and at most one decimal (``14``, ``13.5``)."""
    rounded = round(value, 1)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    text = f"{rounded:.1f}"
    return text.removesuffix(".0")


def _text(value: str) -> SafeString:
    """Escape untrusted text for use as SVG character data or an attribute value."""
    return escape(_XML_INVALID_RE.sub("", str(value)))


def _y_intervals(max_score: float) -> int:
    """Split 0..max_score into 4 or 5 intervals, preferring whole, then one-decimal, steps."""
    for decimals in (0, 1):
        for intervals in (4, 5):
            step = max_score / intervals * 10**decimals
            if math.isclose(step, round(step), abs_tol=1e-9):
                return intervals
    return 4


def _chart_uid(
    chart_id: str,
    points: Sequence[TrendPoint],
    max_score: float,
    title: str,
    desc: str,
    width: int,
    height: int,
) -> str:
    """Return ``chart_id`` plus a short hash of the inputs: stable across renders, and distinct
    for two different charts on one page even when both keep the default ``chart_id``."""
    material = repr(
        (
            [(p.day.isoformat(), p.score, str(p.stage)) for p in points],
            max_score,
            str(title),
            str(desc),
            width,
            height,
        )
    )
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:8]
    return f"{chart_id}-{digest}"


def _x_label_days(
    days: Sequence[datetime.date], x_of: dict[datetime.date, float]
) -> list[datetime.date]:
    """Pick the distinct days to label on the X axis: every day when there are few, otherwise
    at most MAX_X_LABELS spread evenly, and never two labels so close that they overlap."""
    if len(days) > MAX_X_LABELS:
        last = len(days) - 1
        indices = sorted({round(i * last / (MAX_X_LABELS - 1)) for i in range(MAX_X_LABELS)})
        candidates = [days[i] for i in indices]
    else:
        candidates = list(days)
    kept = candidates[:1]
    for day in candidates[1:]:
        if x_of[day] - x_of[kept[-1]] >= X_LABEL_MIN_GAP:
            kept.append(day)
    # Prefer showing the most recent assessment over the label just before it.
    final = candidates[-1]
    if kept[-1] != final and len(kept) >= 2 and x_of[final] - x_of[kept[-2]] >= X_LABEL_MIN_GAP:
        kept[-1] = final
    return kept


def motivation_trend_svg(
    points: Sequence[TrendPoint],
    *,
    max_score: float,
    title: str,
    desc: str,
    width: int = 640,
    height: int = 260,
    chart_id: str = "motivation-trend",
) -> SafeString:
    """Return an inline SVG line chart of a client's motivation-assessment scores over time.

    The Y axis runs from 0 to ``max_score`` with 4 or 5 gridlines; the X axis is proportional
    to time, with ISO dates under the points (thinned to at most six labels).  Points are
    sorted by day (stably, so assessments on the same day keep their input order and are all
    drawn); each circle carries a ``<title>`` such as ``2026-03-01: 14 (Förberedelse)`` that
    browsers show on hover.  A single point is drawn centred, without a line.  Scores outside
    0..max_score are drawn clamped to the axis but reported unchanged in the hover text.

    ``title`` and ``desc`` (already translated) become the accessible name and description
    through ``aria-labelledby``.  Their element ids are ``chart_id`` plus a hash of the inputs,
    so pass a distinct ``chart_id`` when the same data could be charted twice on one page.

    With no points this returns an empty ``SafeString``: the caller shows an empty-state text
    instead of a chart.

    Raises ``ValueError`` for a non-finite score, a ``max_score`` that is not a positive
    finite number, an invalid ``chart_id`` (it must match ``[A-Za-z][A-Za-z0-9_-]*``) or a
    size below 200x120.
    """
    if not points:
        return SafeString("")
    if not (math.isfinite(max_score) and max_score > 0):
        raise ValueError("max_score must be a positive finite number.")
    if not _CHART_ID_RE.fullmatch(chart_id):
        raise ValueError("chart_id must start with a letter and contain only A-Z, 0-9, _ and -.")
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise ValueError(f"The chart must be at least {MIN_WIDTH}x{MIN_HEIGHT}.")
    for point in points:
        if not math.isfinite(point.score):
            raise ValueError("Every score must be a finite number.")

    ordered = sorted(points, key=lambda p: p.day)  # stable: same-day points keep input order
    uid = _chart_uid(chart_id, points, max_score, title, desc, width, height)
    title_id = f"{uid}-title"
    desc_id = f"{uid}-desc"

    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM

    def y_of(score: float) -> float:
        clamped = min(max(score, 0.0), max_score)
        return bottom - clamped / max_score * (bottom - top)

    first_day, last_day = ordered[0].day, ordered[-1].day
    span_days = (last_day - first_day).days
    x_start, x_end = left + POINT_INSET, right - POINT_INSET
    days = list(dict.fromkeys(p.day for p in ordered))
    if span_days == 0:
        x_of = {first_day: (left + right) / 2}
    else:
        x_of = {
            day: x_start + (day - first_day).days / span_days * (x_end - x_start) for day in days
        }

    text_attrs = format_html(
        'font-family="{}" font-size="{}" fill="{}"', FONT_FAMILY, FONT_SIZE, TEXT_COLOUR
    )

    # Horizontal gridlines with their score labels; the zero line is drawn as the X axis.
    intervals = _y_intervals(max_score)
    levels = [max_score * i / intervals for i in range(intervals + 1)]
    gridlines = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        ((_num(left), _num(y_of(v)), _num(right), _num(y_of(v)), GRID_COLOUR) for v in levels[1:]),
    )
    y_labels = format_html_join(
        "",
        '<text class="chart-label chart-y-label" x="{}" y="{}" text-anchor="end" {}>{}</text>',
        ((_num(left - 6), _num(y_of(v) + 4), text_attrs, _num(v)) for v in levels),
    )
    axes = format_html(
        '<line class="chart-axis" x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{4}"'
        ' stroke-width="1"/>'
        '<line class="chart-axis" x1="{0}" y1="{2}" x2="{3}" y2="{2}" stroke="{4}"'
        ' stroke-width="1"/>',
        _num(left),
        _num(top),
        _num(bottom),
        _num(right),
        TEXT_COLOUR,
    )

    label_days = _x_label_days(days, x_of)
    x_ticks = format_html_join(
        "",
        '<line class="chart-tick" x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}"'
        ' stroke-width="1"/>',
        ((_num(x_of[d]), _num(bottom), _num(bottom + 4), TEXT_COLOUR) for d in label_days),
    )
    x_labels = format_html_join(
        "",
        '<text class="chart-label chart-x-label" x="{}" y="{}" text-anchor="middle" {}>{}</text>',
        ((_num(x_of[d]), _num(bottom + 18), text_attrs, _text(d.isoformat())) for d in label_days),
    )

    coordinates = [(_num(x_of[p.day]), _num(y_of(p.score))) for p in ordered]
    line = SafeString("")
    if len(ordered) >= 2:
        line = format_html(
            '<polyline class="chart-line" points="{}" fill="none" stroke="{}"'
            ' stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>',
            " ".join(f"{x},{y}" for x, y in coordinates),
            LINE_COLOUR,
        )
    circles = format_html_join(
        "",
        '<circle class="chart-point" cx="{}" cy="{}" r="{}" fill="{}" stroke="#ffffff"'
        ' stroke-width="1.5"><title>{}</title></circle>',
        (
            (
                cx,
                cy,
                POINT_RADIUS,
                LINE_COLOUR,
                _text(f"{p.day.isoformat()}: {_num(p.score)} ({p.stage})"),
            )
            for (cx, cy), p in zip(coordinates, ordered, strict=True)
        ),
    )

    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart motivation-trend-chart"'
        ' role="img" aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {width} {height}"'
        ' width="{width}" height="{height}">'
        '<title id="{title_id}">{title}</title><desc id="{desc_id}">{desc}</desc>'
        "{gridlines}{axes}{y_labels}{x_ticks}{x_labels}{line}{circles}</svg>",
        title_id=title_id,
        desc_id=desc_id,
        width=width,
        height=height,
        title=_text(title),
        desc=_text(desc),
        gridlines=gridlines,
        axes=axes,
        y_labels=y_labels,
        x_ticks=x_ticks,
        x_labels=x_labels,
        line=line,
        circles=circles,
    )
