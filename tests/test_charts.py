"""Tests for cases.charts: the server-side motivation-trend SVG.

No database: the chart is a pure function of its inputs.  The markup is parsed with
ElementTree, so every test also checks that the SVG is well-formed XML with one root.
"""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from cases.charts import TrendPoint, motivation_trend_svg

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(\.\d)?")


def render(points, **kwargs) -> str:
    options: dict[str, Any] = {
        "max_score": 20,
        "title": "Motivation över tid",
        "desc": "Poäng per bedömning",
    }
    options.update(kwargs)
    return motivation_trend_svg(points, **options)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own output


def circles(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}circle")


def hover_texts(root: ET.Element) -> list[str]:
    return [circle.findtext(f"{SVG}title") or "" for circle in circles(root)]


def cx(circle: ET.Element) -> float:
    return float(circle.attrib["cx"])


def cy(circle: ET.Element) -> float:
    return float(circle.attrib["cy"])


def x_labels(root: ET.Element) -> list[str]:
    return [
        text.text or ""
        for text in root.iter(f"{SVG}text")
        if "chart-x-label" in text.attrib.get("class", "")
    ]


POINTS = [
    TrendPoint(date(2026, 1, 10), 6, "Förnekelse"),
    TrendPoint(date(2026, 2, 14), 11.5, "Begrundande"),
    TrendPoint(date(2026, 3, 1), 14, "Förberedelse"),
]


def test_output_is_one_svg_root_element_with_the_svg_namespace():
    markup = render(POINTS)
    assert isinstance(markup, SafeString)
    root = parse(markup)
    assert root.tag == f"{SVG}svg"
    assert root.attrib["viewBox"] == "0 0 640 260"


def test_svg_is_an_image_labelled_by_its_title_and_description():
    root = parse(render(POINTS, title="Motivation & mål", desc="Tre bedömningar"))
    assert root.attrib["role"] == "img"
    title_id, desc_id = root.attrib["aria-labelledby"].split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert (title.attrib["id"], title.text) == (title_id, "Motivation & mål")
    assert (desc.attrib["id"], desc.text) == (desc_id, "Tre bedömningar")


def test_ids_are_valid_stable_and_differ_between_charts():
    first = parse(render(POINTS)).attrib["aria-labelledby"]
    assert first == parse(render(POINTS)).attrib["aria-labelledby"]
    other_data = parse(render(POINTS[:2])).attrib["aria-labelledby"]
    other_id = parse(render(POINTS, chart_id="trend-2")).attrib["aria-labelledby"]
    assert len({first, other_data, other_id}) == 3
    for ids in (first, other_data, other_id):
        for element_id in ids.split():
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", element_id)
    assert other_id.startswith("trend-2-")


def test_invalid_chart_id_is_rejected():
    with pytest.raises(ValueError, match="chart_id"):
        render(POINTS, chart_id='x" onload="alert(1)')


def test_draws_one_circle_per_point_with_a_hover_title():
    root = parse(render(POINTS))
    assert hover_texts(root) == [
        "2026-01-10: 6 (Förnekelse)",
        "2026-02-14: 11.5 (Begrundande)",
        "2026-03-01: 14 (Förberedelse)",
    ]


def test_polyline_passes_through_every_point():
    root = parse(render(POINTS))
    polylines = root.findall(f".//{SVG}polyline")
    assert len(polylines) == 1
    vertices = polylines[0].attrib["points"].split()
    assert len(vertices) == len(POINTS)
    assert vertices == [f"{c.attrib['cx']},{c.attrib['cy']}" for c in circles(root)]
    assert polylines[0].attrib["stroke"] == "#1d4e89"
    assert polylines[0].attrib["fill"] == "none"


def test_single_point_is_centred_without_a_line():
    root = parse(render([TrendPoint(date(2026, 3, 1), 10, "Handling")], width=640))
    assert root.findall(f".//{SVG}polyline") == []
    (circle,) = circles(root)
    plot_left, plot_right = 44, 640 - 36
    assert cx(circle) == (plot_left + plot_right) / 2
    assert x_labels(root) == ["2026-03-01"]


def test_higher_scores_are_drawn_higher():
    root = parse(render(POINTS))
    ys = [cy(c) for c in circles(root)]
    assert ys[0] > ys[1] > ys[2]


def test_zero_and_max_score_sit_on_the_bottom_and_top_gridlines():
    root = parse(
        render([TrendPoint(date(2026, 1, 1), 0, "a"), TrendPoint(date(2026, 2, 1), 20, "b")])
    )
    low, high = circles(root)
    y_label_positions = {
        text.text: float(text.attrib["y"])
        for text in root.iter(f"{SVG}text")
        if "chart-y-label" in text.attrib.get("class", "")
    }
    assert y_label_positions["0"] - 4 == cy(low)
    assert y_label_positions["20"] - 4 == cy(high)


def test_out_of_range_scores_are_clamped_but_reported_unchanged():
    root = parse(
        render([TrendPoint(date(2026, 1, 1), -3, "a"), TrendPoint(date(2026, 2, 1), 25, "b")])
    )
    low, high = circles(root)
    assert cy(low) == 260 - 34
    assert cy(high) == 14
    assert hover_texts(root) == ["2026-01-01: -3 (a)", "2026-02-01: 25 (b)"]


def test_points_are_placed_in_date_order_whatever_the_input_order():
    root = parse(render(list(reversed(POINTS))))
    assert [t.split(":")[0] for t in hover_texts(root)] == [
        "2026-01-10",
        "2026-02-14",
        "2026-03-01",
    ]
    xs = [cx(c) for c in circles(root)]
    assert xs == sorted(xs)
    assert len(set(xs)) == 3
    assert x_labels(root) == ["2026-01-10", "2026-02-14", "2026-03-01"]


def test_x_positions_are_proportional_to_time():
    points = [
        TrendPoint(date(2026, 1, 1), 5, "a"),
        TrendPoint(date(2026, 1, 11), 5, "a"),
        TrendPoint(date(2026, 3, 2), 5, "a"),
    ]
    first, second, third = (cx(c) for c in circles(parse(render(points))))
    assert second - first == pytest.approx((third - first) / 6, abs=0.1)


def test_points_on_the_same_day_are_all_kept_in_input_order():
    day = date(2026, 3, 1)
    points = [
        TrendPoint(date(2026, 4, 1), 9, "senare"),
        TrendPoint(day, 12, "första"),
        TrendPoint(day, 8, "andra"),
    ]
    root = parse(render(points))
    assert hover_texts(root) == [
        "2026-03-01: 12 (första)",
        "2026-03-01: 8 (andra)",
        "2026-04-01: 9 (senare)",
    ]
    first, second, _ = circles(root)
    assert cx(first) == cx(second)
    assert x_labels(root) == ["2026-03-01", "2026-04-01"]


def test_all_points_on_one_day_are_centred():
    day = date(2026, 3, 1)
    root = parse(render([TrendPoint(day, 3, "a"), TrendPoint(day, 7, "b")]))
    assert {cx(c) for c in circles(root)} == {(44 + 640 - 36) / 2}
    assert len(root.findall(f".//{SVG}polyline")) == 1


def test_y_axis_has_four_or_five_gridlines_with_labels_from_zero_to_max():
    for max_score, labels in [
        (20, ["0", "5", "10", "15", "20"]),
        (30, ["0", "6", "12", "18", "24", "30"]),
        (7, ["0", "1.4", "2.8", "4.2", "5.6", "7"]),
    ]:
        root = parse(render(POINTS, max_score=max_score))
        y_labels = [
            text.text
            for text in root.iter(f"{SVG}text")
            if "chart-y-label" in text.attrib.get("class", "")
        ]
        gridlines = [
            line for line in root.iter(f"{SVG}line") if line.attrib.get("class") == "chart-grid"
        ]
        assert y_labels == labels
        assert 4 <= len(gridlines) <= 5
        assert {line.attrib["stroke"] for line in gridlines} == {"#c9d0d9"}


def test_many_points_give_at_most_six_date_labels():
    start = date(2025, 1, 1)
    points = [TrendPoint(start + timedelta(days=7 * i), i % 20, "Handling") for i in range(50)]
    root = parse(render(points))
    labels = x_labels(root)
    assert 2 <= len(labels) <= 6
    assert labels[0] == "2025-01-01"
    assert labels[-1] == (start + timedelta(days=7 * 49)).isoformat()
    assert len(circles(root)) == 50


def test_date_labels_that_would_overlap_are_dropped():
    points = [
        TrendPoint(date(2026, 1, 1), 5, "a"),
        TrendPoint(date(2026, 1, 2), 6, "a"),
        TrendPoint(date(2026, 12, 31), 7, "a"),
    ]
    assert x_labels(parse(render(points))) == ["2026-01-01", "2026-12-31"]


def test_no_inline_styles_or_scripts_anywhere():
    markup = render(POINTS)
    root = parse(markup)
    for element in root.iter():
        assert element.tag not in {f"{SVG}style", f"{SVG}script"}
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    assert "<style" not in markup
    assert "style=" not in markup
    assert "<script" not in markup


def test_text_uses_an_explicit_font_and_contrasting_colour():
    root = parse(render(POINTS))
    texts = list(root.iter(f"{SVG}text"))
    assert texts
    for text in texts:
        assert text.attrib["font-family"] == "DejaVu Sans, sans-serif"
        assert text.attrib["fill"] == "#4a5360"
        assert text.attrib["font-size"] == "11"


def test_untrusted_text_is_escaped():
    attack = "<script>alert(1)</script>"
    markup = render(
        [TrendPoint(date(2026, 1, 1), 5, attack), TrendPoint(date(2026, 2, 1), 6, 'x" onload="y')],
        title=SafeString("<b>titel</b>"),
        desc="a & b\x00",
    )
    assert "<script" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    root = parse(markup)
    assert root.find(f".//{SVG}script") is None
    assert hover_texts(root) == [f"2026-01-01: 5 ({attack})", '2026-02-01: 6 (x" onload="y)']
    assert root.findtext(f"{SVG}title") == "<b>titel</b>"
    assert root.findtext(f"{SVG}desc") == "a & b"
    for element in root.iter():
        assert not any(name.startswith("on") for name in element.attrib)


def test_numbers_use_a_dot_and_at_most_one_decimal_in_any_language():
    points = [
        TrendPoint(date(2026, 1, 1), 3.14159, "a"),
        TrendPoint(date(2026, 1, 20), 12.25, "b"),
        TrendPoint(date(2026, 2, 3), 17.96, "c"),
    ]
    with translation.override("sv"):
        markup = render(points, max_score=21.3, width=613, height=251)
    root = parse(markup)
    numeric = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"}
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in numeric:
                assert NUMBER.fullmatch(value), (name, value)
    vertices = root.findall(f".//{SVG}polyline")[0].attrib["points"].split()
    for vertex in vertices:
        x, y = vertex.split(",")
        assert NUMBER.fullmatch(x)
        assert NUMBER.fullmatch(y)
    assert hover_texts(root) == [
        "2026-01-01: 3.1 (a)",
        "2026-01-20: 12.2 (b)",
        "2026-02-03: 18 (c)",
    ]


def test_empty_input_gives_an_empty_safe_string():
    markup = motivation_trend_svg([], max_score=20, title="t", desc="d")
    assert markup == ""
    assert isinstance(markup, SafeString)


@pytest.mark.parametrize("max_score", [0, -5, float("nan"), float("inf")])
def test_invalid_max_score_is_rejected(max_score):
    with pytest.raises(ValueError, match="max_score"):
        render(POINTS, max_score=max_score)


def test_non_finite_score_is_rejected():
    with pytest.raises(ValueError, match="finite"):
        render([TrendPoint(date(2026, 1, 1), float("nan"), "a")])


def test_too_small_size_is_rejected():
    with pytest.raises(ValueError, match="at least"):
        render(POINTS, width=100)
