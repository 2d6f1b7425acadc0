"""Charts drawn on the server as SVG markup: a line chart of several series over dates (scores, rates)
and a bar chart of weekly figures. No script and no library: the page, the phone and the printer get
the same picture.

    chart = line_chart(
        series=[Series("数学", [Point(date(2026, 10, 5), 70, tooltip="10-05 月考 70/100"), ...])],
        title=_("Score trend"),
        y_label=_("% of full marks"),
        y_max=100,
    )

What every chart does, so that people can read it:

- axes: dates across (month-day, the year under the first one and wherever it changes), ticks and a
  label up; the values are written on the chart (every point of a short single line, else the last
  point of each line; every bar with room for its figure), and each point or bar carries a <title>
  tooltip with its whole story;
- a legend for the series, which differ by marker and dash as well as colour, so a black-and-white
  print still tells them apart;
- sized for phones: the SVG is WIDTH units wide and drawn at most that many pixels (class mw-100
  shrinks it to its card), so FONT-unit text stays at least 11 px on a 390 px phone (a card about
  330 px wide) and FONT px on a desktop or a printed A4 sheet;
- accessible: role="img" with an aria-label (the title and every value), <title> and <desc>;
- safe: every text comes from users (a subject, a name) and is escaped here.

Colours are presentation attributes, not style="": the Content-Security-Policy refuses inline styles.
Text and axes are currentColor, so they follow the page's colour (dark mode, print).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 460  # viewBox units, and the largest width drawn, in px
FONT = 16  # every text; at WIDTH 460 it is 11.5 px in a 330 px card
PLOT_HEIGHT = 180
MAX_VALUE_LABELS = 12  # a single line with at most this many points shows every value
FONT_FAMILY = "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"

# Okabe–Ito: told apart by people with any common colour blindness. Each series also has its own
# marker and dash, in case the chart is printed without colour.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("circle", "square", "triangle", "diamond", "triangle_down", "cross")
DASHES = ("", "8 4", "2 3", "10 3 2 3", "5 5", "1 3")
BAR_COLOUR = COLOURS[0]


@dataclass(frozen=True)
class Point:
    x: date
    y: float | None  # None: no value that day (the line breaks there)
    text: str = ""  # the value written on the chart; the number with the chart's unit if empty
    tooltip: str = ""  # the point's whole story, shown on hover and read by screen readers


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point] = field(default_factory=list)


@dataclass(frozen=True)
class Bar:
    x: date
    value: float
    text: str = ""
    tooltip: str = ""


# Ticks


def nice_step(span: float, count: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving at most about `count` intervals."""
    if span <= 0:
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power * (1 + 1e-9):
            return factor * power
    return 10 * power  # not reached: the factors end at 10


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round ticks from at most `low` to at least `high`: 0, 20, … 100 for scores and rates."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + 1
    step = nice_step(high - low, count)
    first = math.floor(low / step + 1e-9) * step
    ticks, value = [], first
    while value < high - 1e-9 * step:
        ticks.append(value)
        value = first + len(ticks) * step
    ticks.append(value)
    return [round(tick, 10) for tick in ticks]


def number(value: float) -> str:
    """12 not 12.0; 12.5; 0.25."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.2f}".rstrip("0").rstrip(".")


# Text


def text_width(text: str, size: float = FONT) -> float:
    """An estimate of the width of `text`: a Chinese character is about one em, others about 0.6."""
    return sum(size if ord(ch) >= 0x2E80 else 0.6 * size for ch in text)


def _text(x: float, y: float, text: str, *, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT}" text-anchor="{anchor}" fill="currentColor"'
        f"{extra}>{escape(text)}</text>"
    )


def _day(day: date) -> str:
    return f"{day:%m-%d}"


@dataclass
class _XLabel:
    x: float
    day: date


def _x_labels(days: Sequence[date], x_of, *, left: float, right: float) -> list[_XLabel]:
    """The days to write under the axis: from the first, each far enough from the one before; the last
    always (replacing the one before it when they would touch)."""
    gap = text_width("00-00") + 10
    kept: list[_XLabel] = []
    for day in days:
        x = min(max(x_of(day), left + gap / 2), right - gap / 2)
        if not kept or x - kept[-1].x >= gap:
            kept.append(_XLabel(x, day))
    if days and kept[-1].day != days[-1]:
        last = _XLabel(min(max(x_of(days[-1]), left + gap / 2), right - gap / 2), days[-1])
        if len(kept) > 1 and last.x - kept[-1].x < gap:
            kept.pop()
        kept.append(last)
    return kept


def _x_axis(labels: list[_XLabel], *, bottom: float) -> tuple[list[str], bool]:
    """The day labels and their ticks below the plot; the year under the first label and where it
    changes. Returns the markup and whether a line of years was written."""
    parts, year, years = [], None, False
    for label in labels:
        parts.append(
            f'<line x1="{label.x:.1f}" y1="{bottom:.1f}" x2="{label.x:.1f}" y2="{bottom + 5:.1f}" '
            'stroke="currentColor" stroke-opacity="0.5"/>'
        )
        parts.append(_text(label.x, bottom + 6 + FONT, _day(label.day)))
        if label.day.year != year:
            year, years = label.day.year, True
            parts.append(_text(label.x, bottom + 8 + 2 * FONT, str(year), extra=' fill-opacity="0.7"'))
    return parts, years


def _y_axis(
    ticks: list[float], y_of, *, left: float, right: float, unit: str, label: str, top: float, bottom: float
) -> list[str]:
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="currentColor" '
            f'stroke-opacity="{0.5 if tick == ticks[0] else 0.15}"/>'
        )
        parts.append(_text(left - 6, y + FONT * 0.35, number(tick) + unit, anchor="end"))
    middle = (top + bottom) / 2
    parts.append(
        f'<text transform="translate({FONT:.1f} {middle:.1f}) rotate(-90)" font-size="{FONT}" '
        f'text-anchor="middle" fill="currentColor">{escape(label)}</text>'
    )
    return parts


def _left_margin(ticks: list[float], unit: str) -> float:
    widest = max(text_width(number(tick) + unit) for tick in ticks)
    return FONT * 1.6 + widest + 10


def _svg(height: float, title: str, summary: str, parts: list[str]) -> SafeString:
    label = f"{title}. {summary}" if summary else title
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart mw-100 h-auto" width="{WIDTH}" '
        f'height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(label)}" '
        f'font-family="{escape(FONT_FAMILY)}">'
        f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>{''.join(parts)}</svg>"
    )


def _empty(title: str, empty: str) -> SafeString:
    height = FONT * 4
    return _svg(height, title, empty, [_text(WIDTH / 2, height / 2 + FONT * 0.35, empty)])


# Markers and the legend


def marker(shape: str, x: float, y: float, colour: str, *, hollow: bool = False, tooltip: str = "") -> str:
    """A point's marker; its <title> is the tooltip."""
    fill = "#fff" if hollow else colour
    paint = f'fill="{fill}" stroke="{colour}" stroke-width="2"'
    title = f"<title>{escape(tooltip)}</title>" if tooltip else ""
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" {paint}>{title}</rect>'
    if shape == "triangle":
        d = f"M{x:.1f} {y - 6:.1f}L{x + 6:.1f} {y + 4.5:.1f}L{x - 6:.1f} {y + 4.5:.1f}Z"
    elif shape == "triangle_down":
        d = f"M{x:.1f} {y + 6:.1f}L{x + 6:.1f} {y - 4.5:.1f}L{x - 6:.1f} {y - 4.5:.1f}Z"
    elif shape == "diamond":
        d = f"M{x:.1f} {y - 6.5:.1f}L{x + 6.5:.1f} {y:.1f}L{x:.1f} {y + 6.5:.1f}L{x - 6.5:.1f} {y:.1f}Z"
    elif shape == "cross":
        a, b = f"{x - 5:.1f}", f"{x + 5:.1f}"
        d = f"M{a} {y - 5:.1f}L{b} {y + 5:.1f}M{b} {y - 5:.1f}L{a} {y + 5:.1f}"
        return f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="3">{title}</path>'
    else:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" {paint}>{title}</circle>'
    return f'<path d="{d}" {paint}>{title}</path>'


@dataclass(frozen=True)
class _Style:
    colour: str
    shape: str
    dash: str
    hollow: bool


def style(index: int) -> _Style:
    """The look of the index-th series: colour, marker and dash all change from one to the next."""
    return _Style(
        colour=COLOURS[index % len(COLOURS)],
        shape=MARKERS[index % len(MARKERS)],
        dash=DASHES[index % len(DASHES)],
        hollow=(index // len(MARKERS)) % 2 == 1,
    )


def _legend_rows(names: list[str], *, left: float) -> list[list[tuple[float, int, str]]]:
    """The legend's items, (x, series index, name), flowed into rows as wide as the chart."""
    rows: list[list[tuple[float, int, str]]] = [[]]
    x = left
    for index, name in enumerate(names):
        width = 34 + text_width(name) + 16
        if rows[-1] and x + width > WIDTH - 4:
            rows.append([])
            x = left
        rows[-1].append((x, index, name))
        x += width
    return rows


def _legend(rows, *, top: float) -> list[str]:
    parts = []
    for row_index, row in enumerate(rows):
        y = top + row_index * (FONT + 8) + FONT * 0.7
        for x, index, name in row:
            look = style(index)
            dash = f' stroke-dasharray="{look.dash}"' if look.dash else ""
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 28:.1f}" y2="{y:.1f}" stroke="{look.colour}" '
                f'stroke-width="2.5"{dash}/>'
            )
            parts.append(marker(look.shape, x + 14, y, look.colour, hollow=look.hollow))
            parts.append(_text(x + 34, y + FONT * 0.35, name, anchor="start"))
    return parts


# The line chart


def line_chart(
    *,
    series: Sequence[Series],
    title: str,
    y_label: str,
    y_max: float | None = None,
    unit: str = "",
    empty: str = "",
) -> SafeString:
    """Several series over dates: time across (a day's place in proportion), the value up from 0 to
    `y_max` (100 for scores as a percent and for rates) or to a round tick above the largest value.
    `unit` follows every value ("%"). `empty`: the words drawn when there is no value at all."""
    series = [Series(s.name, sorted(s.points, key=lambda p: p.x)) for s in series]
    drawn = [(index, s, [p for p in s.points if p.y is not None]) for index, s in enumerate(series)]
    drawn = [(index, s, points) for index, s, points in drawn if points]
    if not drawn:
        return _empty(title, empty or _("No figures yet."))
    days = sorted({p.x for s in series for p in s.points})  # a day without a value keeps its place
    values = [p.y for _index, _s, points in drawn for p in points]
    top_value = y_max if y_max is not None else max(max(values), 1)
    ticks = nice_ticks(min(0, min(values)), top_value)
    if y_max is not None:
        ticks = [tick for tick in ticks if tick <= y_max + 1e-9] or ticks
    low, high = ticks[0], ticks[-1]

    left, right = _left_margin(ticks, unit), WIDTH - 14
    names = [s.name for s in series]
    legend = _legend_rows(names, left=8) if any(names) else []
    legend_end = 8 + len(legend) * (FONT + 8)
    top = legend_end + FONT + 10  # room for a value written above the top tick
    bottom = top + PLOT_HEIGHT
    first, span = days[0], (days[-1] - days[0]).days
    inner_left, inner_right = left + 14, right - 14

    def x_of(day: date) -> float:
        if not span:
            return (inner_left + inner_right) / 2
        return inner_left + (inner_right - inner_left) * (day - first).days / span

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low)

    parts = _y_axis(ticks, y_of, left=left, right=right, unit=unit, label=y_label, top=top, bottom=bottom)
    x_parts, years = _x_axis(_x_labels(days, x_of, left=left, right=right), bottom=bottom)
    parts += x_parts
    parts += _legend(legend, top=8)
    labels = []
    every_value = len(drawn) == 1 and len(drawn[0][2]) <= MAX_VALUE_LABELS
    for index, one, points in drawn:
        look = style(index)
        parts += _lines(one.points, x_of, y_of, look)
        for point in points:
            tooltip = f"{one.name} · {point.tooltip or _day(point.x) + ' ' + number(point.y) + unit}"
            parts.append(
                marker(
                    look.shape, x_of(point.x), y_of(point.y), look.colour, hollow=look.hollow, tooltip=tooltip
                )
            )
        for point in points if every_value else points[-1:]:
            labels.append((x_of(point.x), y_of(point.y) - 11, point.text or number(point.y) + unit))
    parts += _value_labels(labels, left=left, right=right, top=legend_end)
    height = bottom + 12 + FONT + (FONT + 4 if years else 0)
    summary = "; ".join(
        f"{one.name}: " + ", ".join(f"{_day(p.x)} {p.text or number(p.y) + unit}" for p in points)
        for _index, one, points in drawn
    )
    return _svg(height, title, summary, parts)


def _lines(points: Sequence[Point], x_of, y_of, look: _Style) -> list[str]:
    """The series' line, broken where a point has no value."""
    segments: list[list[str]] = [[]]
    for point in points:
        if point.y is None:
            segments.append([])
        else:
            segments[-1].append(f"{x_of(point.x):.1f},{y_of(point.y):.1f}")
    dash = f' stroke-dasharray="{look.dash}"' if look.dash else ""
    return [
        f'<polyline points="{" ".join(segment)}" fill="none" stroke="{look.colour}" stroke-width="2.5" '
        f'stroke-linejoin="round"{dash}/>'
        for segment in segments
        if len(segment) > 1
    ]


def _value_labels(
    labels: list[tuple[float, float, str]], *, left: float, right: float, top: float
) -> list[str]:
    """The values written above their points, moved apart where two would overlap (the lines' last
    points often meet on the same day)."""
    placed: list[tuple[float, float, float]] = []  # x, y, half width
    parts = []
    for x, y, text in sorted(labels, key=lambda label: (label[1], label[0])):
        half = text_width(text) / 2 + 2
        x = min(max(x, left + half), right - half + 12)
        y = max(y, top + FONT * 0.9)
        while any(abs(x - px) < half + ph and abs(y - py) < FONT + 1 for px, py, ph in placed):
            y += FONT + 2
        placed.append((x, y, half))
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT}" text-anchor="middle" fill="currentColor" '
            f'font-weight="600" stroke="#fff" stroke-width="3" paint-order="stroke">{escape(text)}</text>'
        )
    return parts


# The bar chart


def bar_chart(
    *, bars: Sequence[Bar], title: str, y_label: str, unit: str = "", empty: str = ""
) -> SafeString:
    """A figure by week (or by day): one bar each, from 0 up to a round tick above the largest. A
    bar's figure is written above it where it fits, the last one always."""
    if not bars or not any(bar.value for bar in bars):
        return _empty(title, empty or _("No figures yet."))
    ticks = nice_ticks(0, max(bar.value for bar in bars))
    high = ticks[-1]
    left, right = _left_margin(ticks, unit), WIDTH - 14
    top = 8 + FONT + 6
    bottom = top + PLOT_HEIGHT
    slot = (right - left) / len(bars)
    width = max(min(slot * 0.7, 40), 1.5)

    def x_of(index: int) -> float:
        return left + slot * (index + 0.5)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / high

    parts = _y_axis(ticks, y_of, left=left, right=right, unit=unit, label=y_label, top=top, bottom=bottom)
    centres = {bar.x: x_of(index) for index, bar in enumerate(bars)}
    x_parts, years = _x_axis(
        _x_labels([bar.x for bar in bars], centres.__getitem__, left=left, right=right), bottom=bottom
    )
    parts += x_parts
    texts = [bar.text or number(bar.value) + unit for bar in bars]
    written = _bars_written(bars, texts, x_of, right=right)
    for index, (bar, text) in enumerate(zip(bars, texts, strict=True)):
        x, y = x_of(index), y_of(bar.value)
        tooltip = bar.tooltip or f"{_day(bar.x)} {text}"
        parts.append(
            f'<rect x="{x - slot / 2:.1f}" y="{top:.1f}" width="{slot:.1f}" height="{bottom - top:.1f}" '
            f'fill="transparent"><title>{escape(tooltip)}</title></rect>'
        )
        if bar.value:
            parts.append(
                f'<rect x="{x - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" height="{bottom - y:.1f}" '
                f'fill="{BAR_COLOUR}"><title>{escape(tooltip)}</title></rect>'
            )
        if index in written:
            parts.append(_text(min(x, right - text_width(text) / 2), y - 5, text, extra=' font-weight="600"'))
    height = bottom + 12 + FONT + (FONT + 4 if years else 0)
    summary = ", ".join(f"{_day(bar.x)} {text}" for bar, text in zip(bars, texts, strict=True))
    return _svg(height, title, summary, parts)


def _bars_written(bars: Sequence[Bar], texts: list[str], x_of, *, right: float) -> set[int]:
    """The bars whose figure is written above them: from the last one back, each clear of the one
    written after it; none for an empty week."""
    written: set[int] = set()
    start = math.inf
    for index in range(len(bars) - 1, -1, -1):
        half = text_width(texts[index]) / 2
        x = min(x_of(index), right - half)
        if bars[index].value and x + half + 4 <= start:
            written.add(index)
            start = x - half
    return written
