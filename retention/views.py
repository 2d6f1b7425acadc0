"""The retention pages: the board of cases, a case with its story, and the one action form per move."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.scope import campuses_for
from config import exports
from students.selectors import students_for
from timeline.exports import export_refused, export_response
from timeline.models import Access
from timeline.services import access_record

from . import case_page, forms, services
from .exports import case_list_export
from .models import Case
from .reasons import ITEMS
from .selectors import CASE_VIEWERS, board, board_rows, case_clocks, case_story, cases_for, loss_analysis
from .steps import next_step, with_steps

S = Case.Stage


@dataclass(frozen=True)
class Action:
    """One move of a case: the stage it is offered at, who may make it, its form and service."""

    stage: str
    title: Promise
    form: type
    do: Callable
    may: Callable
    # A record made once: the step is no longer offered when the case holds it.
    once: str = ""
    # A record that comes first: the step is offered only once the case holds it (the service
    # refuses it before, too).
    after: str = ""


def _president(user, case) -> bool:
    return user.role == Role.PRESIDENT


def _manager(user, case) -> bool:
    return services.is_manager(user, case) or services.is_supervisor(user, case)


ACTIONS = {
    "prepare": Action(
        S.WARNING,
        _("Prepare the talk with the parent"),
        forms.PrepareForm,
        services.warning_prepare,
        _manager,
    ),
    "comment": Action(
        S.WARNING,
        _("Comment on the prepared talk"),
        forms.CommentForm,
        services.warning_comment,
        services.is_supervisor,
    ),
    "stabilise": Action(
        S.WARNING, _("Stabilised: close the case"), forms.StabiliseForm, services.warning_stabilise, _manager
    ),
    "escalate": Action(
        S.WARNING,
        _("Not settled: escalate to the team's rescue"),
        forms.EscalateForm,
        services.warning_escalate,
        _manager,
    ),
    "rescue": Action(
        S.RESCUE, _("Record the rescue"), forms.RescueForm, services.rescue_record, services.may_lead_rescue
    ),
    "retained": Action(
        S.RESCUE,
        _("Retained: close the case"),
        forms.RetainedForm,
        services.rescue_retained,
        services.may_lead_rescue,
    ),
    "failed": Action(
        S.RESCUE,
        _("Failed: the reports to the supervisor"),
        forms.FailedForm,
        services.rescue_failed,
        services.may_lead_rescue,
    ),
    "report": Action(
        S.REPORT,
        _("Report to the campus director"),
        forms.ReportForm,
        services.report_submit,
        services.is_supervisor,
        once="memo",
    ),
    "director": Action(
        S.REPORT,
        _("The director's rescue"),
        forms.DirectorForm,
        services.director_decide,
        services.is_director,
        after="memo",
    ),
    "analysis": Action(
        S.RESPONSIBILITY,
        _("Responsibility analysis"),
        forms.AnalysisForm,
        services.responsibility_record,
        services.is_director,
        once="superiors_memo",
    ),
    "instruction": Action(
        S.RESPONSIBILITY,
        _("The president's instruction"),
        forms.InstructionForm,
        services.instruction_give,
        _president,
        once="instruction",
        after="superiors_memo",
    ),
    "execution": Action(
        S.RESPONSIBILITY,
        _("Report the instruction carried out"),
        forms.ExecutionForm,
        services.instruction_carried_out,
        services.is_director,
        after="instruction",
    ),
}


def _case(request, pk: int) -> Case:
    cases = cases_for(request.user).select_related("student__campus", "raised_by", "campus")
    return get_object_or_404(with_steps(cases), pk=pk)


def _actions(user, case, bound: dict | None = None) -> list[tuple[str, Action, object]]:
    """The moves the user may make on the case now, each with its (possibly bound) form; a form sent
    back with the service's refusal shows again with what was typed, even where it is not offered."""
    bound = bound or {}
    return [
        (name, action, bound.get(name) or action.form(initial=_initial(case, action)))
        for name, action in ACTIONS.items()
        if name in bound
        or (
            action.stage == case.stage
            and action.may(user, case)
            and not (action.once and getattr(case, action.once))
            and not (action.after and not getattr(case, action.after))
        )
    ]


def _initial(case, action) -> dict:
    """What the case already holds, so an edit starts from it."""
    initial = {name: getattr(case, name) for name in action.form.base_fields if hasattr(case, name)}
    initial["comment"] = case.supervisor_comment
    return initial


# The board shows at most this many cards a stage (the most urgent: a column read at a glance), with
# the stage's count and a link to the stage's whole list; that list, and the closed cases, show
# LIST_PAGE a page.
BOARD_CARDS = 20
LIST_PAGE = 50
OPEN_STAGES = [stage for stage in S.values if stage != S.CLOSED]


@login_required
def case_list(request):
    """The board of open cases by stage, late ones first; ?stage= one stage's cases and ?closed=1 the
    closed ones, each a page of LIST_PAGE (?page=); ?campus= one campus's, for a company-wide reader.
    A fixed number of queries, whatever the scope. ?format=xlsx: the same cases, every one, as a
    workbook."""
    user = request.user
    if user.role not in CASE_VIEWERS:
        raise PermissionDenied
    campuses = campuses_for(user) if user.is_company_wide else None
    form = forms.BoardForm(request.GET or None, campuses=campuses)
    chosen = form.chosen()
    closed, stage, campus_id = chosen["closed"], chosen["stage"], chosen["campus_id"]
    cases = board(user, closed=closed, campus_id=campus_id)
    if stage:
        cases = cases.filter(stage=stage)
    if exports.asked(request):
        if not form.errors:
            export = case_list_export(cases, form, closed=closed, stage=stage)
            return export_response(request, export, campus_id=campus_id)
        export_refused(request)
    context = {
        "closed": closed,
        "stage": stage,
        "now": timezone.now(),
        "form": form,
        "campus_query": urlencode({"campus": campus_id}) if campus_id else "",
    }
    if closed or stage:
        page = Paginator(cases.values_list("pk", flat=True), LIST_PAGE).get_page(request.GET.get("page"))
        page.object_list = board_rows(request.user, list(page.object_list))  # the page's cases
        for case in page:
            case.step = next_step(case)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(cases=page, query=query.urlencode(), stage_label=S(stage).label if stage else "")
        return TemplateResponse(request, "retention/list.html", context)
    # The most urgent cards of each stage (their ids in one query, their rows in a second), the counts
    # of every stage in another.
    urgent = Window(
        RowNumber(),
        partition_by=F("stage"),
        order_by=[F("clock_due_at").asc(nulls_last=True), F("raised_at").desc(), F("pk").asc()],
    )
    urgent_ids = cases.annotate(urgency=urgent).filter(urgency__lte=BOARD_CARDS)
    cases = board_rows(request.user, list(urgent_ids.values_list("pk", flat=True)))
    in_scope = cases_for(request.user).filter(campus_id=campus_id) if campus_id else cases_for(request.user)
    counts = dict(
        in_scope.filter(stage__in=OPEN_STAGES).order_by().values_list("stage").annotate(n=Count("pk"))
    )
    by_stage = {stage: [] for stage in OPEN_STAGES}
    for case in cases:
        case.step = next_step(case)
        by_stage[case.stage].append(case)
    context.update(
        cases=cases,
        columns=[(stage, S(stage).label, rows, counts.get(stage, 0)) for stage, rows in by_stage.items()],
    )
    return TemplateResponse(request, "retention/list.html", context)


@login_required
def case_new(request, student_id: int):
    student = get_object_or_404(students_for(request.user).select_related("manager"), pk=student_id)
    if request.user.role not in services.RAISERS:
        raise PermissionDenied
    form = forms.CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case, created = services.case_open(student=student, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if created:
                messages.success(
                    request,
                    _("Warning sign raised; the learning manager has 3 days to stabilise the parent."),
                )
            else:
                messages.info(request, _("The student already has an open case; your note was added to it."))
            return redirect(case if cases_for(request.user).filter(pk=case.pk).exists() else student)
    return TemplateResponse(request, "retention/new.html", {"student": student, "form": form})


@login_required
def case_detail(request, pk: int, bound: dict | None = None):
    case = _case(request, pk)
    context = {
        "case": case,
        "step": next_step(case),
        "actions": _actions(request.user, case, bound),
        "reasons": [ITEMS[code] for code in case.reasons if code in ITEMS],
        "timeline": case_story(case, request.user),
        "deadlines": list(case_clocks(case)),
        **case_page.case_context(request.user, case),  # the refund of a lost case
        "now": timezone.now(),
    }
    return TemplateResponse(request, "retention/detail.html", context)


@login_required
@require_POST
def case_act(request, pk: int, action: str):
    case = _case(request, pk)
    move = ACTIONS.get(action)
    if move is None:
        raise PermissionDenied
    if not move.may(request.user, case):
        raise PermissionDenied
    form = move.form(request.POST)
    if form.is_valid():
        try:
            move.do(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            if isinstance(error, services.StageMoved):
                messages.error(request, error.messages[0])
                return redirect(case)
            form.add_service_error(error)
        else:
            messages.success(request, _("Saved."))
            return redirect(case)
    return case_detail(request, pk, bound={action: form})


ANALYSTS = (Role.SUPERVISOR, Role.DIRECTOR, Role.PRESIDENT)


@login_required
def analysis(request):
    """Where and why students are lost: closed cases of a period by loss reason and by manager."""
    if request.user.role not in ANALYSTS:
        raise PermissionDenied
    today = timezone.localdate()
    form = forms.PeriodForm(request.GET or None, initial=forms.PeriodForm.default(today))
    since, until = form.period(today)
    zone = timezone.get_current_timezone()
    result = loss_analysis(
        request.user,
        since=datetime.combine(since, time.min, tzinfo=zone),
        until=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone),
    )
    context = {"form": form, "analysis": result, "since": since, "until": until, "bar": BAR}
    return TemplateResponse(request, "retention/analysis.html", context)


BAR = {"width": 360, "height": 22}


@login_required
def case_print(request, pk: int):
    """失单报告 and 挽单报告 on A4: the case, its reasons, the rescue and the memos."""
    case = _case(request, pk)
    access_record(actor=request.user, action=Access.Action.PRINT, student=case.student, detail=str(case))
    context = {
        "case": case,
        "reasons": [ITEMS[code] for code in case.reasons if code in ITEMS],
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "retention/print.html", context)
