"""A report's figure beside the previous period's, with the change, in red where it is bad; and the
address of the list behind it. Tags rather than an include: a table of 200 rows holds thousands of
figures."""

from decimal import Decimal
from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _shown(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value}%"
    if kind == "money":
        return f"¥{Decimal(value):,.2f}"
    if kind == "hours":
        return f"{Decimal(value):,.1f}"
    return str(value)


def _change(now, before, kind: str) -> str:
    if now is None or before is None:
        return ""
    change = now - before
    if not change:
        return "±0"
    arrow = "↑" if change > 0 else "↓"
    return arrow + _shown(abs(change), "count" if kind == "rate" else kind)


def _is_bad(now, kind: str, worse: str, low) -> bool:
    if now is None:
        return False
    if kind == "rate":
        return low is not None and now < low
    return worse == "up" and now > 0


def _change_class(now, before, worse: str) -> str:
    if now is None or before is None or now == before or not worse:
        return "text-secondary"
    grew = now > before
    return "text-danger" if grew == (worse == "up") else "text-success"


@register.simple_tag
def figure(now, before, kind="count", worse="", low=None, href="", href_before=""):
    """`now` and, smaller, `before` (the previous period's) with the change between them. `kind`:
    count, rate (a whole percent or None), money, hours. `worse`: "up" when more is bad (late, lost),
    "down" when less is (a rate); `low`: a rate below it is red."""
    value_class = "fw-semibold text-danger" if _is_bad(now, kind, worse, low) else ""
    value = escape(_shown(now, kind))
    if href:
        shown = f'<a class="{value_class}" href="{escape(href)}">{value}</a>'
    else:
        shown = f'<span class="{value_class}">{value}</span>'
    previous = escape(_shown(before, kind))
    if href_before:
        previous = f'<a class="link-secondary" href="{escape(href_before)}">{previous}</a>'
    # Plain strings rather than format_html: every part is escaped here, and a table holds thousands.
    title, change = escape(_("Previous period")), escape(_change(now, before, kind))
    return mark_safe(
        f'{shown} <span class="small text-secondary" title="{title}">/ {previous}</span>'
        f' <span class="small {_change_class(now, before, worse)}">{change}</span>'
    )


@register.simple_tag
def drill(links, row=None, before=False, period=None, **filters):
    """The address of the list behind a figure (reports.views.Links): of a row, of the previous
    period (`before`) or of another one (a week's), of what `filters` name."""
    return links.url(row, before=before, period=period, **filters)


def _tip() -> str:
    return _("%(due)s due, %(late)s late; the previous period %(before)s")


@register.simple_tag
def cell(now, before, low=None, href="", due=None, late=None, tip=None):
    """A rate in a dense table: `now` (a whole percent or None), linked, with the change since the
    previous period as an arrow; how many were due and late, and the previous rate, in its tooltip
    (`tip`: its words, translated once for a row of cells)."""
    value_class = "fw-semibold text-danger" if _is_bad(now, "rate", "down", low) else ""
    tip = escape((tip or _tip()) % {"due": due, "late": late, "before": _shown(before, "rate")})
    value = escape(_shown(now, "rate"))
    if href and now is not None:
        shown = f'<a class="{value_class}" href="{escape(href)}" title="{tip}">{value}</a>'
    else:
        shown = f'<span class="{value_class or "text-secondary"}" title="{tip}">{value}</span>'
    change = _change(now, before, "rate")
    if not change or change == "±0":
        return mark_safe(shown)
    change_class = _change_class(now, before, "down")
    return mark_safe(f'{shown} <span class="small {change_class}">{escape(change)}</span>')


DOT = mark_safe('<span class="text-secondary">·</span>')


@register.simple_tag
def rule_cells(links, row, low=None):
    """A row's cells of the punctuality table, one a rule (`row.cells`: the rule and its Pair of
    Punctual, or None): its rate linked to its deadlines, or a dot. One tag a row, the loop in Python:
    the company's table holds some 2,000 cells."""
    cells, tip = [], _tip()
    for rule, pair in row.cells:
        if pair is None:
            shown = DOT
        else:
            now, href = pair.now, links.url(row.key, rule=rule)
            shown = cell(now.rate, pair.before.rate, low=low, href=href, due=now.due, late=now.late, tip=tip)
        cells.append(f'<td class="text-end text-nowrap">{shown}</td>')
    return mark_safe("".join(cells))


@register.simple_tag
def loss_cells(links, key, reasons):
    """A row's cells of the loss reasons table (`reasons`: a reason group -> its Pair of lost cases),
    each linked to its cases; `key` the row's, None for the total. One tag a row, as rule_cells."""
    cells = []
    for group, pair in reasons.items():
        shown = figure(pair.now, pair.before, worse="up", href=links.url(key, figure="lost", reason=group))
        cells.append(f'<td class="text-end text-nowrap">{shown}</td>')
    return mark_safe("".join(cells))
