"""The reports' weekly trends as charts (config.charts): the on-time rate by week on the punctuality
report, the class hours taught by week on the caseload report. The weeks' tables stay below them,
with every figure linked."""

from datetime import date, timedelta

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from config import charts

register = template.Library()


@register.simple_tag
def weekly_rate_chart(weeks, period) -> SafeString | str:
    """The on-time rate of each week of the period (reports.selectors.Week of Punctual); a week
    without deadlines due breaks the line. Nothing when no week had any."""
    due = {week.first: week.figures for week in weeks}
    if not any(figures.rate is not None for figures in due.values()):
        return ""  # the table below says that nothing was due
    points = []
    for monday in mondays(period.first, period.last):
        figures = due.get(monday)
        rate = figures.rate if figures else None
        tooltip = (
            _("Week of %(day)s: %(rate)s%% on time, %(on_time)d of %(due)d due")
            % {"day": f"{monday:%Y-%m-%d}", "rate": rate, "on_time": figures.on_time, "due": figures.due}
            if rate is not None
            else ""
        )
        points.append(charts.Point(monday, rate, tooltip=tooltip))
    return charts.line_chart(
        series=[charts.Series(_("On-time rate"), points)],
        title=_("On-time rate by week"),
        y_label=_("On-time rate"),
        y_max=100,
        unit="%",
    )


@register.simple_tag
def weekly_hours_chart(weeks, period) -> SafeString | str:
    """The class hours taught each week of the period (reports.selectors.Week of Taught), a week
    without lessons drawn as none. Nothing when no lesson was taught."""
    taught = {week.first: week.figures for week in weeks}
    if not any(figures.hours for figures in taught.values()):
        return ""  # the table below says that nothing was taught
    bars = []
    for monday in mondays(period.first, period.last):
        figures = taught.get(monday)
        hours, lessons = (float(figures.hours), figures.lessons) if figures else (0.0, 0)
        tooltip = _("Week of %(day)s: %(hours)s class hours, %(lessons)d lessons") % {
            "day": f"{monday:%Y-%m-%d}",
            "hours": charts.number(hours),
            "lessons": lessons,
        }
        bars.append(charts.Bar(monday, hours, tooltip=tooltip))
    return charts.bar_chart(
        bars=bars,
        title=_("Hours taught by week"),
        y_label=_("class hours"),
    )


def mondays(first: date, last: date) -> list[date]:
    """The Mondays of the weeks that meet the days from `first` to `last`."""
    monday = first - timedelta(days=first.weekday())
    return [monday + timedelta(weeks=n) for n in range((last - monday).days // 7 + 1)]
