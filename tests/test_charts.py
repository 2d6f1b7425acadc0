"""The server-drawn charts (config.charts): round ticks, escaped text, readable on a phone, every value
told to a screen reader, series told apart without colour."""

import re
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest

from config import charts
from config.charts import Bar, Point, Series, bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
PHONE_CARD = 330  # px: a 390 px phone's card, as the student page and the reports draw it


def parse(svg) -> ElementTree.Element:
    """The chart as XML: it must be well-formed on its own."""
    return ElementTree.fromstring(str(svg))


def monday(n: int) -> date:
    return date(2026, 9, 7) + timedelta(weeks=n)


def scores(*values, subject="数学", start=date(2026, 10, 5)):
    return Series(subject, [Point(start + timedelta(days=30 * i), v) for i, v in enumerate(values)])


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 100, [0, 20, 40, 60, 80, 100]),  # scores as a percent, rates
        (0, 37, [0, 10, 20, 30, 40]),  # hours of a week
        (0, 4, [0, 1, 2, 3, 4]),
        (0, 0.9, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (0, 1234, [0, 250, 500, 750, 1000, 1250]),
        (0, 0, [0, 0.2, 0.4, 0.6, 0.8, 1]),  # nothing yet: still an axis
    ],
)
def test_ticks_are_round_and_cover_the_values(low, high, ticks):
    assert nice_ticks(low, high) == ticks


def test_a_score_chart_has_axes_a_legend_and_its_values():
    svg = line_chart(
        series=[scores(70, 78, 86), scores(88, 80, 84, subject="英语")],
        title="成绩走势",
        y_label="占满分的百分比",
        y_max=100,
    )
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    ticks = ["0", "20", "40", "60", "80", "100"]
    assert [t for t in texts if t in ticks] == ticks
    assert "占满分的百分比" in texts  # the y axis's label
    assert {"10-05", "11-04", "12-04", "2026"} <= set(texts)  # dates across, the year under the first
    assert {"数学", "英语"} <= set(texts)  # the legend
    assert "86" in texts and "84" in texts  # each line's last value
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "成绩走势"
    assert "数学: 10-05 70, 11-04 78, 12-04 86" in root.get("aria-label")  # every value, for a reader
    tooltips = [t.text for t in root.iter(f"{SVG}title")][1:]
    assert "数学 · 12-04 86" in tooltips and len(tooltips) == 6


def test_series_differ_in_marker_and_dash_not_only_colour():
    looks = [charts.style(i) for i in range(8)]
    assert len({(look.shape, look.dash, look.hollow) for look in looks}) == 8
    root = parse(line_chart(series=[scores(70, 80), scores(60, 65, subject="英语")], title="t", y_label="y"))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2 and lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")
    assert root.findall(f"{SVG}circle") and root.findall(f"{SVG}rect")  # circles, then squares


def test_names_are_escaped_everywhere():
    name = '<script>alert("x")</script>&"\''
    svg = str(line_chart(series=[scores(50, 60, subject=name)], title=name, y_label=name))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)  # still one well-formed SVG
    assert name in [t.text for t in root.iter(f"{SVG}text")]
    assert root.get("aria-label").startswith(name)
    bars = str(bar_chart(bars=[Bar(monday(0), 3, tooltip=name)], title=name, y_label=name))
    assert "<script>" not in bars and parse(bars) is not None


NONE = "还没有成绩。"


def test_no_data_says_so():
    for svg in (
        line_chart(series=[], title="成绩走势", y_label="%", empty=NONE),
        line_chart(
            series=[Series("数学", [Point(monday(0), None)])], title="t", y_label="%", empty="还没有成绩。"
        ),
        bar_chart(bars=[Bar(monday(0), 0), Bar(monday(1), 0)], title="t", y_label="h", empty=NONE),
    ):
        root = parse(svg)
        assert [t.text for t in root.iter(f"{SVG}text")] == [NONE]
        assert root.get("role") == "img" and NONE in root.get("aria-label")


def test_one_point_sits_in_the_middle_with_its_value():
    root = parse(line_chart(series=[scores(86)], title="t", y_label="%", y_max=100))
    (circle,) = [c for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]
    grid = next(line for line in root.iter(f"{SVG}line") if line.get("y1") == line.get("y2"))
    middle = (float(grid.get("x1")) + float(grid.get("x2"))) / 2
    assert abs(float(circle.get("cx")) - middle) < 1
    assert "86" in [t.text for t in root.iter(f"{SVG}text")]
    assert not root.findall(f"{SVG}polyline")  # no line from one point


def test_many_series_wrap_the_legend_and_keep_every_name():
    many = [scores(50 + i, 60 + i, subject=f"科目{i}") for i in range(9)]
    root = parse(line_chart(series=many, title="t", y_label="%", y_max=100))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert all(f"科目{i}" in texts for i in range(9))
    legend_rows = {round(float(t.get("y"))) for t in root.iter(f"{SVG}text") if t.text.startswith("科目")}
    assert len(legend_rows) > 1
    assert len(root.findall(f"{SVG}polyline")) == 9


def test_a_rate_without_deadlines_breaks_the_line():
    points = [Point(monday(i), v) for i, v in enumerate([80, 90, None, 70, 100])]
    root = parse(
        line_chart(series=[Series("准时率", points)], title="t", y_label="准时率", y_max=100, unit="%")
    )
    assert len(root.findall(f"{SVG}polyline")) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "100%" in texts and "80%" in texts  # ticks and values with their unit


def test_weekly_bars_thin_their_labels_but_keep_the_last():
    bars = [Bar(monday(i), 10 + i % 3) for i in range(53)]
    root = parse(bar_chart(bars=bars, title="每周课消", y_label="课时"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    days = [t for t in texts if re.fullmatch(r"\d\d-\d\d", t)]
    assert 3 < len(days) < 12 and days[-1] == f"{monday(52):%m-%d}"
    assert len([t for t in root.iter(f"{SVG}title")]) == 1 + 2 * 53  # the chart's, then each bar's


def test_text_is_readable_on_a_phone():
    svg = line_chart(series=[scores(70, 78, 86)], title="t", y_label="y")
    root = parse(svg)
    assert root.get("viewBox").startswith(f"0 0 {charts.WIDTH} ")
    assert "mw-100" in root.get("class")  # as wide as its card at most, never wider than drawn
    sizes = {float(t.get("font-size")) for t in root.iter(f"{SVG}text")}
    assert min(sizes) * PHONE_CARD / charts.WIDTH >= 11
