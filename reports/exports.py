"""The reports as workbooks: each report page's tables, one sheet a table, with this period's figure
and the previous period's side by side; each list behind a figure with the columns of its page
(templates/reports/*). The figures are those the page computed (reports.selectors); the lists are
the rows the reader may open, as the page lists them (config/exports.py)."""

from types import SimpleNamespace

from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from config import exports
from config.exports import Column, Export, Sheet, Typed
from followups.models import FamilyReason
from students.models import LossReason

PREVIOUS = _("previous period")
PERSON = pgettext_lazy("report row", "Person")


def _rate(percent) -> object:
    """A whole percent (as the page rounds it) as Excel's percent; none without a base."""
    return None if percent is None else percent / 100


def _figure(header, read, number_format=exports.WHOLE, *, rate: bool = False) -> tuple[Column, Column]:
    """Two columns of one figure: this period's and the previous one's. `read(row, which)` reads the
    figure of "now" or "before"."""
    if rate:
        value, number_format = (lambda row, which: _rate(read(row, which))), exports.PERCENT
    else:
        value = read
    return (
        Column(header, lambda row: value(row, "now"), number_format),
        Column(format_lazy("{} · {}", header, PREVIOUS), lambda row: value(row, "before"), number_format),
    )


def _row_label(grouping) -> Column:
    return Column(_("Campus") if grouping.parameter == "campus" else PERSON, "label", width=16)


def _left_out(n: int, *, fewer_students: bool = False) -> str:
    if not n:
        return ""
    if fewer_students:
        text = ngettext(
            "%(n)s more row with fewer students is not shown.",
            "%(n)s more rows with fewer students are not shown.",
            n,
        )
    else:
        text = ngettext(
            "%(n)s more row with better figures is not shown.",
            "%(n)s more rows with better figures are not shown.",
            n,
        )
    return text % {"n": n}


def report_filters(period, reader) -> list[tuple[str, str]]:
    """A report's period and narrowing, as its page says them."""
    shown = [(str(_("Period")), f"{period.first:%Y-%m-%d} – {period.last:%Y-%m-%d}")]
    if reader.campus is not None:
        shown.append((str(_("Campus")), reader.campus.name))
    if reader.team is not None:
        shown.append((str(_("Team")), reader.team.name))
    return shown


def _title(page_title) -> str:
    return format_lazy("{} · {}", _("Reports"), page_title)


# The report pages


def punctuality_export(report, *, title, period, reader) -> Export:
    def total(name):
        return lambda row, which: getattr(getattr(row.total, which), name)

    def rule_rate(rule):
        def read(row, which):
            pair = row.rules.get(rule)
            return getattr(pair, which).rate if pair else None

        return read

    columns = [
        _row_label(report.grouping),
        *_figure(_("On-time rate"), total("rate"), rate=True),
        *_figure(_("Due"), total("due")),
        *_figure(_("Late"), total("late")),
        *_figure(_("Escalated"), total("escalated")),
        *(column for rule in report.rules for column in _figure(rule, rule_rate(rule), rate=True)),
    ]
    by = _("By campus and rule") if report.grouping.parameter == "campus" else _("By person and rule")
    weeks = [
        Column(_("Week of"), "first", exports.DATE),
        Column(_("On-time rate"), lambda week: _rate(week.figures.rate), exports.PERCENT),
        Column(_("Due"), "figures.due", exports.WHOLE),
        Column(_("On time"), "figures.on_time", exports.WHOLE),
        Column(_("Late"), "figures.late", exports.WHOLE),
        Column(_("Escalated"), "figures.escalated", exports.WHOLE),
    ]
    sheets = [
        Sheet(by, columns, report.rows, note=_left_out(report.left_out)),
        Sheet(_("By week"), weeks, report.weeks),
    ]
    return Export(_title(title), report_filters(period, reader), sheets)


def renewal_export(report, *, title, period, reader) -> Export:
    def figure(name):
        return lambda row, which: getattr(getattr(row.figures, which), name)

    columns = [
        _row_label(report.grouping),
        *_figure(_("Renewal rate"), lambda row, which: getattr(row.figures, which).rate.percent, rate=True),
        *_figure(_("Reached the threshold"), figure("reached")),
        *_figure(_("Renewed"), figure("renewed")),
        *_figure(_("Declined"), figure("declined")),
        *_figure(_("Undecided"), figure("undecided")),
        *_figure(_("Hours renewed"), figure("hours"), exports.HOURS),
        *_figure(_("Amount renewed"), figure("amount"), exports.MONEY),
    ]
    reasons = [
        Column(_("Reason"), "label", width=24),
        *_figure(_("Declined"), lambda row, which: getattr(row.declined, which)),
    ]
    by = _("By campus") if report.grouping.parameter == "campus" else _("By learning manager")
    sheets = [
        Sheet(by, columns, report.rows, note=_left_out(report.left_out)),
        Sheet(_("Why the families declined"), reasons, report.reasons),
    ]
    return Export(_title(title), report_filters(period, reader), sheets)


def retention_export(report, *, title, period, reader, cases: bool) -> Export:
    """The cases (for those who read them), the reasons of the lost ones and the refunds, each with
    the page's total row."""
    label = _row_label(report.grouping)
    total = _("Total")
    sheets = []
    if cases:

        def case(name):
            return lambda row, which: getattr(getattr(row.cases, which), name)

        def stage(name):
            return lambda row, which: getattr(getattr(row.cases, which), name).percent

        columns = [
            label,
            *_figure(pgettext_lazy("report figure", "Raised"), case("raised")),
            *_figure(_("Stabilised"), case("stabilised")),
            *_figure(_("Retained by the team"), case("retained_by_team")),
            *_figure(_("Retained by the director"), case("retained_by_director")),
            *_figure(_("Lost"), case("lost")),
            *_figure(_("Manager's stage"), stage("manager_stage"), rate=True),
            *_figure(_("Team's stage"), stage("team_stage"), rate=True),
            *_figure(_("Director's stage"), stage("director_stage"), rate=True),
        ]
        by = _("Cases by campus") if report.grouping.parameter == "campus" else _("Cases by learning manager")
        sheets.append(Sheet(by, columns, report.rows))
        labels = dict(LossReason.choices)
        reason_columns = [
            label,
            *(
                column
                for group, _label in report.groups
                for column in _figure(
                    labels[group], lambda row, which, group=group: getattr(row.reasons[group], which)
                )
            ),
        ]
        lost = [row for row in report.rows if row.cases.now.lost or row.cases.before.lost]
        reason_rows = [*lost, SimpleNamespace(label=total, reasons=report.reasons)]
        sheets.append(Sheet(_("Why students were lost"), reason_columns, reason_rows))

    def refund(name):
        return lambda row, which: getattr(getattr(row.refunds, which), name)

    refund_columns = [
        label,
        *_figure(pgettext_lazy("report figure", "Applied"), refund("applied")),
        *_figure(_("Amount applied for"), refund("applied_amount"), exports.MONEY),
        *_figure(pgettext_lazy("report figure", "Paid"), refund("paid")),
        *_figure(_("Amount paid"), refund("paid_amount"), exports.MONEY),
    ]

    def has_refunds(row) -> bool:
        now, before = row.refunds.now, row.refunds.before
        return bool(now.applied or before.applied or now.paid or before.paid)

    refund_rows = [row for row in report.rows if has_refunds(row)]
    refund_rows.append(SimpleNamespace(label=total, refunds=report.refunds))
    sheets.append(Sheet(_("Refunds"), refund_columns, refund_rows, note=_left_out(report.left_out)))
    return Export(_title(title), report_filters(period, reader), sheets)


def caseload_export(report, *, title, period, reader) -> Export:
    columns = [
        _row_label(report.grouping),
        *(
            Column(label, lambda row, status=status: row.statuses[status], exports.WHOLE)
            for status, label in report.statuses
        ),
        Column(_("Students"), "students", exports.WHOLE),
        Column(_("Hours left"), "hours_left", exports.HOURS),
        *_figure(_("Hours taught"), lambda row, which: getattr(row.taught, which), exports.HOURS),
    ]
    weeks = [
        Column(_("Week of"), "first", exports.DATE),
        Column(_("Lessons"), "figures.lessons", exports.WHOLE),
        Column(_("Hours taught"), "figures.hours", exports.HOURS),
    ]
    by = _("By campus") if report.grouping.parameter == "campus" else _("By learning manager")
    sheets = [
        Sheet(
            by, columns, [*report.rows, report.total], note=_left_out(report.left_out, fewer_students=True)
        ),
        Sheet(_("Hours taught by week"), weeks, report.weeks),
    ]
    return Export(_title(title), report_filters(period, reader), sheets)


def _key_figure(report, figure, now, before, number_format=exports.WHOLE, *, rate=False):
    if rate:
        now, before, number_format = _rate(now), _rate(before), exports.PERCENT
    return SimpleNamespace(
        report=report, figure=figure, now=Typed(now, number_format), before=Typed(before, number_format)
    )


OVERVIEW_COLUMNS = (
    Column(_("Reports"), "report", width=18),
    Column(_("Figure"), "figure", width=24),
    Column(_("This period"), "now"),
    Column(PREVIOUS, "before"),
)


def overview_export(context, *, period, reader) -> Export:
    """The overview's key figures, one row each: this period's and the previous period's."""
    rows = []
    if context["figures_shown"]:
        on_time, renewal = context["punctuality"].total, context["renewal"].total
        cases, refunds = context["retention"].cases, context["retention"].refunds
        taught = context["caseload"].total
        punctuality, renewals = _("Punctuality"), _("Renewal")
        retention, caseload = _("Retention"), _("Caseload and class hours")
        rows += [
            _key_figure(punctuality, _("On-time rate"), on_time.now.rate, on_time.before.rate, rate=True),
            _key_figure(punctuality, _("Deadlines due"), on_time.now.due, on_time.before.due),
            _key_figure(punctuality, _("Late"), on_time.now.late, on_time.before.late),
            _key_figure(punctuality, _("Escalated"), on_time.now.escalated, on_time.before.escalated),
            _key_figure(
                renewals, _("Renewal rate"), renewal.now.rate.percent, renewal.before.rate.percent, rate=True
            ),
            _key_figure(renewals, _("Reached the threshold"), renewal.now.reached, renewal.before.reached),
            _key_figure(renewals, _("Renewed"), renewal.now.renewed, renewal.before.renewed),
            _key_figure(renewals, _("Declined"), renewal.now.declined, renewal.before.declined),
            _key_figure(
                renewals, _("Amount renewed"), renewal.now.amount, renewal.before.amount, exports.MONEY
            ),
            _key_figure(
                retention, pgettext_lazy("report figure", "Raised"), cases.now.raised, cases.before.raised
            ),
            _key_figure(
                retention,
                _("Stabilised or retained"),
                cases.now.stabilised + cases.now.retained,
                cases.before.stabilised + cases.before.retained,
            ),
            _key_figure(retention, _("Lost"), cases.now.lost, cases.before.lost),
            _key_figure(
                retention,
                _("The team's rescue success rate"),
                cases.now.team_stage.percent,
                cases.before.team_stage.percent,
                rate=True,
            ),
            _key_figure(retention, _("Refunds applied for"), refunds.now.applied, refunds.before.applied),
            _key_figure(caseload, _("Students now"), taught.students, None),
            _key_figure(caseload, _("Hours taught"), taught.taught.now, taught.taught.before, exports.HOURS),
            _key_figure(caseload, _("Hours left now"), taught.hours_left, None, exports.HOURS),
        ]
    else:
        refunds, name = context["retention"].refunds, _("Refunds")
        rows += [
            _key_figure(
                name, pgettext_lazy("report figure", "Applied"), refunds.now.applied, refunds.before.applied
            ),
            _key_figure(
                name,
                _("Amount applied for"),
                refunds.now.applied_amount,
                refunds.before.applied_amount,
                exports.MONEY,
            ),
            _key_figure(name, pgettext_lazy("report figure", "Paid"), refunds.now.paid, refunds.before.paid),
            _key_figure(
                name, _("Amount paid"), refunds.now.paid_amount, refunds.before.paid_amount, exports.MONEY
            ),
        ]
    title = _("Overview")
    return Export(_title(title), report_filters(period, reader), [Sheet(title, OVERVIEW_COLUMNS, rows)])


# The lists behind the figures


def _hidden(n: int) -> str:
    if not n:
        return ""
    return ngettext(
        "%(n)s more record is counted in the figure but not listed: its student has since moved out of "
        "what you may open.",
        "%(n)s more records are counted in the figure but not listed: their students have since moved "
        "out of what you may open.",
        n,
    ) % {"n": n}


def list_filters(form, chosen) -> list[tuple[str, str]]:
    """A list's period, person, campus, team and figure, as its page says them."""
    shown = form.shown()
    period = form.period()
    filters = [(str(_("Period")), f"{period.first:%Y-%m-%d} – {period.last:%Y-%m-%d}")]
    if shown["manager"] is not None:
        filters.append((str(PERSON), shown["manager"].display_name))
    if shown["campus"] is not None:
        filters.append((str(_("Campus")), shown["campus"].name))
    if shown["team"] is not None:
        filters.append((str(_("Team")), shown["team"].name))
    filters += [(str(_("Which")), str(label)) for label in chosen]
    return filters


def _deadline_status(deadline):
    return deadline.get_status_display()


DEADLINE_COLUMNS = (
    Column(_("Rule"), lambda d: f"{d.rule} {d.title}", width=30),
    Column(_("Student"), "student.full_name", width=16),
    Column(_("Owner"), "owner.display_name", width=14),
    Column(_("Campus"), "campus.name", width=14),
    Column(_("Due"), "due_at", exports.DATETIME),
    Column(_("Closed"), "closed_at", exports.DATETIME),
    Column(_("Status"), _deadline_status, width=14),
    Column(_("Escalated"), lambda d: d.escalation_level or None, exports.WHOLE),
)
ANSWERS = {"renewed": _("Renewed"), "declined": _("Declined"), "undecided": _("Undecided")}
RENEWAL_COLUMNS = (
    Column(_("Student"), "student.full_name", width=16),
    Column(_("Learning manager"), "owner.display_name", width=14),
    Column(_("Campus"), "campus.name", width=14),
    Column(_("Below the threshold since"), "opened_at", exports.DATE),
    Column(_("Hours left now"), "student.hours_left", exports.HOURS),
    Column(_("Answer"), lambda d: ANSWERS.get(d.answer, d.answer)),
    Column(_("Reason"), lambda d: dict(FamilyReason.choices).get(d.decline_reason), width=20),
    Column(_("Hours renewed"), "renewed_hours", exports.HOURS),
    Column(_("Amount renewed"), "renewed_amount", exports.MONEY),
)


def _outcome(case):
    if case.outcome == "retained":
        return _("Retained by the director") if case.director_rescue else _("Retained by the team")
    return case.get_outcome_display() or None


CASE_COLUMNS = (
    Column(_("Student"), "student.full_name", width=16),
    Column(_("Learning manager"), "manager.display_name", width=14),
    Column(_("Campus"), "campus.name", width=14),
    Column(pgettext_lazy("report figure", "Raised"), "raised_at", exports.DATE),
    Column(_("Stage"), "get_stage_display", width=14),
    Column(_("Outcome"), _outcome, width=16),
    Column(_("Outcome known"), "outcome_at", exports.DATE),
)
REFUND_COLUMNS = (
    Column(_("Student"), "student.full_name", width=16),
    Column(_("Learning manager"), "case.manager.display_name", width=14),
    Column(_("Campus"), "campus.name", width=14),
    Column(_("Submitted"), "submitted_at", exports.DATE),
    Column(_("Amount to refund"), "amount", exports.MONEY),
    Column(_("Status"), "get_status_display", width=16),
    Column(_("Paid on"), "paid_on", exports.DATE),
)
LIST_COLUMNS = {
    "reports/deadline_list.html": DEADLINE_COLUMNS,
    "reports/renewal_list.html": RENEWAL_COLUMNS,
    "reports/case_list.html": CASE_COLUMNS,
    "reports/refund_list.html": REFUND_COLUMNS,
}


def list_export(rows: QuerySet, *, template: str, title, form, chosen, hidden: int) -> Export:
    """A list behind a figure: the rows the reader may open (the page's), every one; a last row
    saying how many more the figure counts."""
    sheet = Sheet(title, LIST_COLUMNS[template], rows, note=_hidden(hidden))
    return Export(title, list_filters(form, chosen), [sheet])
