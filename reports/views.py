"""The reports section: an index of each report's key figures, one page per report, and the lists
behind the figures where no list of the product can show them. Read-only; every figure of a page is
computed in a fixed number of queries (reports.selectors)."""

import re
from urllib.parse import quote_plus, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config import exports
from config.paging import CountedAhead
from deadlines.rules import RULES
from deadlines.selectors import RowLinks
from followups.models import FamilyReason
from refunds.selectors import refunds_for
from retention.selectors import cases_for
from students.forms import UNASSIGNED
from students.models import LossReason
from timeline import audience
from timeline.exports import export_refused, export_response

from . import exports as report_exports
from . import forms, selectors
from .periods import PRESETS, Period
from .selectors import FIGURE_READERS, READERS, REFUND_READERS, Grouping, Reader

# A list behind a figure shows this many rows a page.
LIST_PAGE = 50

# The report pages, in the order of their tabs, and who reads each (finance: the refunds, on the
# retention report and the overview).
PAGES = (
    ("index", _("Overview"), READERS),
    ("punctuality", _("Punctuality"), FIGURE_READERS),
    ("renewal", _("Renewal"), FIGURE_READERS),
    ("retention", _("Retention"), REFUND_READERS),
    ("caseload", _("Caseload and class hours"), FIGURE_READERS),
)


def _may(user, roles) -> None:
    """The roles a page is for; anyone else is refused, as the product's other sections refuse them."""
    if user.role not in roles:
        raise PermissionDenied


class Links:
    """The address of a list behind a report's figures: the list's address and the period's and the
    reader's filters encoded once a period, then only the figure's own (its row, what it counts) added
    for each figure — a company's table holds some 2,000."""

    def __init__(self, name: str, *, period: Period, reader: Reader, grouping: Grouping | None = None):
        self.base = reverse(f"reports:{name}")
        self.period, self.previous = period, period.previous()
        self.narrowed = reader.query()
        self.grouping = grouping
        self._of_period: dict[Period, tuple[str, dict]] = {}  # a period's address and its filters

    def url(self, row=None, *, before: bool = False, period: Period | None = None, **filters) -> str:
        period = period or (self.previous if before else self.period)
        if period not in self._of_period:
            shared = {**period.query(), **self.narrowed}
            self._of_period[period] = (f"{self.base}?{urlencode(shared)}", shared)
        address, shared = self._of_period[period]
        own = {}
        if row is not None and self.grouping is not None:
            own[self.grouping.parameter] = row
        own.update({name: value for name, value in filters.items() if value not in (None, "")})
        if not own:
            return address
        if own.keys() & shared.keys():  # the figure's row or filter replaces the reader's
            return f"{self.base}?{urlencode({**shared, **own})}"
        return f"{address}&{_encoded(own)}"


_PLAIN = re.compile(r"[\w.-]*", re.ASCII)


def _encoded(query: dict) -> str:
    """urlencode for a figure's few filters, which are mostly keys and ids that need no quoting."""
    values = ((name, str(value)) for name, value in query.items())
    return "&".join(f"{name}={v if _PLAIN.fullmatch(v) else quote_plus(v)}" for name, v in values)


def _report_context(request, page: str):
    """The period form, what it chose, and the links between the report pages with the same choice;
    a role the page is not for is refused."""
    user = request.user
    _may(user, next(roles for key, _title, roles in PAGES if key == page))
    form = forms.ReportForm(request.GET or None, user=user, today=timezone.localdate())
    period, reader = form.period(), form.reader()
    kept = urlencode({**period.query(), **reader.query()})
    narrowed = urlencode(reader.query())
    shown = [(key, title) for key, title, roles in PAGES if user.role in roles]
    urls = {key: f"{reverse(f'reports:{key}')}?{kept}" for key, _title in shown}
    context = {
        "form": form,
        "period": period,
        "previous": period.previous(),
        "reader": reader,
        "page": page,
        "title": dict(shown)[page],
        "pages": [(key, title, urls[key]) for key, title in shown],
        "page_urls": urls,
        "presets": [
            (preset.label, f"?{urlencode({'preset': key})}{'&' + narrowed if narrowed else ''}")
            for key, preset in PRESETS.items()
        ],
        "figures_shown": user.role in FIGURE_READERS,
        "low": {
            "on_time": selectors.LOW_ON_TIME,
            "renewal": selectors.LOW_RENEWAL,
            "rescue": selectors.LOW_RESCUE,
        },
    }
    return context, period, reader


def _export_refused(request, context) -> bool:
    """A report whose period or narrowing is wrong is not exported: its page says what is wrong."""
    if context["form"].errors:
        export_refused(request)
        return True
    return False


def _exported(request, export, reader: Reader):
    """The workbook of a report or a list, recorded in the access log on the campus it was narrowed to."""
    return export_response(request, export, campus_id=reader.campus.pk if reader.campus else None)


@login_required
def index(request):
    """Each report's key figures beside the previous period's; finance sees the refunds."""
    context, period, reader = _report_context(request, "index")
    if request.user.role in FIGURE_READERS:
        context.update(
            punctuality=selectors.punctuality(reader, period, now=timezone.now(), weeks=False, by_row=False),
            renewal=selectors.renewal(reader, period),
            retention=selectors.retention(reader, period),
            caseload=selectors.caseload(reader, period, weeks=False),
        )
        context["kept_at"] = _kept_at(context["punctuality"], context["renewal"], context["caseload"])
    else:
        context["retention"] = selectors.retention(reader, period, cases=False)
    if exports.asked(request) and not _export_refused(request, context):
        export = report_exports.overview_export(context, period=period, reader=reader)
        return _exported(request, export, reader)
    return TemplateResponse(request, "reports/index.html", context)


def _kept_at(*reports):
    """When the oldest of the kept figures the reports read were counted (None if they read none)."""
    return min((r.kept_at for r in reports if getattr(r, "kept_at", None)), default=None)


@login_required
def punctuality(request):
    context, period, reader = _report_context(request, "punctuality")
    report = selectors.punctuality(reader, period, now=timezone.now())
    if exports.asked(request) and not _export_refused(request, context):
        export = report_exports.punctuality_export(
            report, title=context["title"], period=period, reader=reader
        )
        return _exported(request, export, reader)
    context.update(
        report=report,
        links=Links("deadlines", period=period, reader=reader, grouping=report.grouping),
        kept_at=_kept_at(report),
    )
    return TemplateResponse(request, "reports/punctuality.html", context)


@login_required
def renewal(request):
    context, period, reader = _report_context(request, "renewal")
    report = selectors.renewal(reader, period)
    if exports.asked(request) and not _export_refused(request, context):
        export = report_exports.renewal_export(report, title=context["title"], period=period, reader=reader)
        return _exported(request, export, reader)
    context.update(
        report=report,
        links=Links("renewals", period=period, reader=reader, grouping=report.grouping),
        kept_at=_kept_at(report),
    )
    return TemplateResponse(request, "reports/renewal.html", context)


@login_required
def retention(request):
    """Cases and refunds; finance, who follows no case, the refunds alone."""
    context, period, reader = _report_context(request, "retention")
    report = selectors.retention(reader, period, cases=request.user.role in FIGURE_READERS)
    if exports.asked(request) and not _export_refused(request, context):
        export = report_exports.retention_export(
            report, title=context["title"], period=period, reader=reader, cases=context["figures_shown"]
        )
        return _exported(request, export, reader)
    context.update(
        report=report,
        case_links=Links("cases", period=period, reader=reader, grouping=report.grouping),
        refund_links=Links("refunds", period=period, reader=reader, grouping=report.grouping),
    )
    return TemplateResponse(request, "reports/retention.html", context)


@login_required
def caseload(request):
    context, period, reader = _report_context(request, "caseload")
    report = selectors.caseload(reader, period)
    if exports.asked(request) and not _export_refused(request, context):
        export = report_exports.caseload_export(report, title=context["title"], period=period, reader=reader)
        return _exported(request, export, reader)
    for row in report.rows:
        row.students_query = _students_query(row, report.grouping, reader)
    context.update(report=report, students_url=reverse("students:list"), kept_at=_kept_at(report))
    return TemplateResponse(request, "reports/caseload.html", context)


def _students_query(row, grouping: Grouping, reader: Reader) -> str:
    """The student list's filters (students.forms.CaseloadFilterForm) for a row of the caseload."""
    if grouping.parameter == "campus":
        return urlencode({"campus": row.key})
    query = {"manager": row.key if row.key is not None else UNASSIGNED}
    if reader.campus is not None:
        query["campus"] = reader.campus.pk
    return urlencode(query)


# The lists behind the figures

STATE_LABELS = {"due": _("All due"), "on_time": _("On time"), "late": _("Late"), "escalated": _("Escalated")}
ANSWER_LABELS = {"renewed": _("Renewed"), "declined": _("Declined"), "undecided": _("Undecided")}
CASE_LABELS = {
    "raised": pgettext_lazy("report figure", "Raised"),
    "stabilised": _("Stabilised"),
    "retained": _("Retained"),
    "retained_by_team": _("Retained by the team"),
    "retained_by_director": _("Retained by the director"),
    "lost": _("Lost"),
}
REFUND_LABELS = {
    "applied": pgettext_lazy("report figure", "Applied"),
    "paid": pgettext_lazy("report figure", "Paid"),
}


def _list_form(request, form_class) -> forms.ListForm:
    """The list's filters; one the reader's scope does not hold, or none at all, is a 404."""
    form = form_class(request.GET, user=request.user)
    if not form.is_valid():
        raise Http404
    return form


def _opened_by(opens: QuerySet) -> Exists:
    """Rows whose record the reader may open (`opens`: the records' own selector)."""
    return Exists(opens.filter(pk=OuterRef("pk")))


def _list_page(
    request, rows: QuerySet, readable, form: forms.ListForm, *, related, template, report, mark, **extra
):
    """A page of LIST_PAGE of the rows the reader may open (`readable`, a condition), each marked with
    its links (`mark`), and how many rows of the figure they may no longer open (counted in one pass,
    not shown); ?format=xlsx every row they may open, as a workbook."""
    shown = rows.filter(readable).select_related(*related)
    if exports.asked(request):
        export = report_exports.list_export(
            shown,
            template=template,
            title=extra["title"],
            form=form,
            chosen=extra["chosen"],
            hidden=rows.exclude(readable).count(),
        )
        return _exported(request, export, form.reader())
    pages = CountedAhead(shown, LIST_PAGE, asked=request.GET.get("page"))
    page = pages.get_page(request.GET.get("page"))
    hidden, hidden_more = _hidden(rows, readable, upto=pages.limit)
    for row in page:
        mark(row)
    query = request.GET.copy()
    query.pop("page", None)
    period = form.period()
    context = {
        "page": page,
        "more_pages": pages.more,
        "query": query.urlencode(),
        "period": period,
        "filters": form.shown(),
        "hidden": hidden,
        "hidden_more": hidden_more,
        "report_url": f"{reverse(report)}?{urlencode({**period.query(), **form.reader().query()})}",
        **extra,
    }
    return TemplateResponse(request, template, context)


def _hidden(rows: QuerySet, readable, *, upto: int) -> tuple[int, bool]:
    """How many of a figure's rows the reader may no longer open, among its first `upto` in the list's
    order (as far as the pager counts ahead: a month of the company's deadlines is not read for this
    note), and whether the figure goes on past them. Two queries: the rows' ids by the list's index,
    then the readable condition on those alone."""
    reached = list(rows.values_list("pk", flat=True)[: upto + 1])
    hidden = rows.filter(pk__in=reached[:upto]).exclude(readable).count() if reached else 0
    return hidden, len(reached) > upto


@login_required
def deadline_list(request):
    """The deadlines behind a punctuality figure: ?from=&to= (the period), ?manager= (the owner),
    ?campus=, ?team=, ?rule=, ?state= (on_time, late, escalated; all that were due without)."""
    _may(request.user, FIGURE_READERS)
    form = _list_form(request, forms.DeadlineListForm)
    rule, state = form.cleaned_data["rule"], form.cleaned_data["state"]
    rows = selectors.punctuality_list(
        form.reader(), form.period(), now=timezone.now(), rule=rule, state=state, row=form.row(person="owner")
    )
    chosen = [f"{rule} · {RULES[rule].title}" if rule else "", STATE_LABELS.get(state, "")]
    return _list_page(
        request,
        rows,
        audience.readable_q(request.user),
        form,
        related=("student", "owner", "campus"),
        template="reports/deadline_list.html",
        report="reports:punctuality",
        mark=RowLinks().mark,
        title=_("Deadlines behind the figure"),
        chosen=[label for label in chosen if label],
    )


@login_required
def renewal_list(request):
    """The students behind a renewal figure: ?from=&to=, ?manager=, ?campus=, ?team=, ?answer=
    (renewed, declined, undecided), ?reason= (of a decline)."""
    _may(request.user, FIGURE_READERS)
    form = _list_form(request, forms.RenewalListForm)
    answer, reason = form.cleaned_data["answer"], form.cleaned_data["reason"]
    rows = selectors.renewal_list(
        form.reader(), form.period(), answer=answer, reason=reason, row=form.row(person="owner")
    )
    reasons = dict(FamilyReason.choices)
    chosen = [ANSWER_LABELS.get(answer, ""), reasons.get(reason, "")]
    links = RowLinks()

    def mark(deadline):
        deadline.student_url = f"{links.student(deadline.student_id)}#renewal"
        deadline.reason_label = reasons.get(deadline.decline_reason, "")

    return _list_page(
        request,
        rows,
        audience.readable_q(request.user),
        form,
        related=("student", "owner", "campus"),
        template="reports/renewal_list.html",
        report="reports:renewal",
        mark=mark,
        title=_("Students who reached the renewal threshold"),
        chosen=[label for label in chosen if label],
    )


def _record_urls(name: str):
    """A record's page address by its key, the pattern reversed once for a page of rows."""
    stand_in = RowLinks.STAND_IN
    pattern = reverse(name, args=[stand_in])
    return lambda pk: pattern.replace(str(stand_in), str(pk))


@login_required
def case_list(request):
    """The cases behind a retention figure: ?from=&to=, ?manager=, ?campus=, ?team=, ?figure=
    (raised, stabilised, retained, retained_by_team, retained_by_director, lost), ?reason= (a
    loss-reason group, of the lost)."""
    _may(request.user, FIGURE_READERS)
    form = _list_form(request, forms.CaseListForm)
    figure, reason = form.cleaned_data["figure"], form.cleaned_data["reason"]
    reader, period, row = form.reader(), form.period(), form.row(person="manager")
    if reason:
        rows = selectors.lost_for_reason_list(reader, period, group=reason, row=row)
    else:
        rows = selectors.case_list(reader, period, figure=figure, row=row)
    chosen = [
        CASE_LABELS["lost"] if reason else CASE_LABELS[figure],
        dict(LossReason.choices).get(reason, ""),
    ]
    url = _record_urls("retention:detail")
    return _list_page(
        request,
        rows,
        _opened_by(cases_for(request.user)),
        form,
        related=("student", "manager", "campus"),
        template="reports/case_list.html",
        report="reports:retention",
        mark=lambda case: setattr(case, "url", url(case.pk)),
        title=_("Retention cases behind the figure"),
        chosen=[label for label in chosen if label],
    )


@login_required
def refund_list(request):
    """The refunds behind a refund figure: ?from=&to=, ?manager=, ?campus=, ?team=, ?figure=
    (applied, paid)."""
    _may(request.user, REFUND_READERS)
    form = _list_form(request, forms.RefundListForm)
    figure = form.cleaned_data["figure"]
    rows = selectors.refund_list(
        form.reader(), form.period(), figure=figure, row=form.row(person="case__manager")
    )
    url = _record_urls("refunds:detail")
    return _list_page(
        request,
        rows,
        _opened_by(refunds_for(request.user)),
        form,
        related=("student", "campus", "case__manager"),
        template="reports/refund_list.html",
        report="reports:retention",
        mark=lambda refund: setattr(refund, "url", url(refund.pk)),
        title=_("Refunds behind the figure"),
        chosen=[REFUND_LABELS[figure]],
    )
