from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from config import exports
from students.selectors import students_for
from timeline.exports import export_response

from . import selectors, services
from .exports import handover_list_export
from .forms import (
    ConsultantTalkForm,
    FirstLessonForm,
    IntroCallForm,
    PaperCheckForm,
    ParentToldForm,
    ReceiveForm,
    TalkForm,
)
from .models import PaperItem, PreClass, WeekendTimetable

# Each step of the page: its form (none for signing) and the service it calls with that form.
STEPS = {
    "receive": (
        ReceiveForm,
        lambda h, user, form: services.handover_receive(handover=h, actor=user, review=form.cleaned_data),
    ),
    "intro_call": (
        IntroCallForm,
        lambda h, user, form: services.handover_intro_call(
            handover=h, actor=user, notes=form.cleaned_data["notes"], file_changes=form.file_changes()
        ),
    ),
    "consultant_talk": (
        ConsultantTalkForm,
        lambda h, user, form: services.handover_consultant_talk(handover=h, actor=user, **form.cleaned_data),
    ),
    "paper_check": (
        PaperCheckForm,
        lambda h, user, form: services.handover_paper_check(handover=h, actor=user, items=form.items()),
    ),
    "sign": (None, lambda h, user, form: services.handover_sign(handover=h, actor=user)),
}


# The handover list shows this many handovers a page.
LIST_PAGE = 100


@login_required
def handover_list(request):
    """The handovers in the user's scope, those not signed off first, a page of LIST_PAGE with their
    count (?page=); ?format=xlsx every one of them as a workbook."""
    rows = selectors.handover_list(request.user)
    if exports.asked(request):
        return export_response(request, handover_list_export(rows))
    handovers = Paginator(rows, LIST_PAGE)
    context = {
        "handovers": handovers.get_page(request.GET.get("page")),
        "sees_weekends": selectors.weekend_managers_for(request.user).exists(),
    }
    return TemplateResponse(request, "handover/list.html", context)


def _handover(request, pk: int):
    queryset = selectors.handovers_for(request.user).select_related(
        "student", "contract", "manager", "consultant", "campus"
    )
    return get_object_or_404(queryset, pk=pk)


@login_required
def handover_detail(request, pk: int, bound: dict | None = None, status: int = 200):
    handover = _handover(request, pk)
    forms = {
        name: form_class(handover=handover) for name, (form_class, _action) in STEPS.items() if form_class
    }
    forms.update(bound or {})
    context = {
        "handover": handover,
        "forms": forms,
        "items": list(handover.items.all()),
        "deadlines": selectors.handover_deadlines(handover),
        "is_manager": request.user.pk == handover.manager_id,
        "is_consultant": request.user.pk == handover.consultant_id,
        "now": timezone.now(),
    }
    return TemplateResponse(request, "handover/detail.html", context, status=status)


@login_required
@require_POST
def handover_step(request, pk: int, step: str):
    if step not in STEPS:
        raise Http404
    handover = _handover(request, pk)
    form_class, action = STEPS[step]
    form = form_class(request.POST, handover=handover) if form_class else None
    if form is None or form.is_valid():
        _run_and_report(request, lambda: action(handover, request.user, form))
        return redirect(handover)
    return handover_detail(request, pk, bound={step: form}, status=200)


def _run_and_report(request, run) -> None:
    """Runs a step and says on the next page how it went; a state that forbids it says why."""
    try:
        done = run()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done is False:
            messages.info(request, _("This was already recorded."))
        else:
            messages.success(request, _("Recorded."))


@login_required
@require_POST
def item_received(request, pk: int, item_id: int):
    handover = _handover(request, pk)
    item = get_object_or_404(PaperItem, pk=item_id, handover=handover)
    _run_and_report(request, lambda: services.paper_item_receive(item=item, actor=request.user))
    return redirect(handover)


@login_required
def item_detail(request, item_id: int):
    """A missing paper item's clock (H5) opens the page of its handover."""
    item = get_object_or_404(selectors.paper_items_for(request.user), pk=item_id)
    return redirect("handover:detail", item.handover_id)


@login_required
def preclass_work(request, pre_id: int):
    """A pre-class clock (P1–P3, whose subject is the pre-class work) opens the student's pre-class page."""
    if request.user.role == Role.TEACHER:  # as on the pre-class page itself
        raise Http404
    pre = get_object_or_404(PreClass.objects.filter(student__in=students_for(request.user)), pk=pre_id)
    return redirect("handover:preclass", pre.student_id)


def _preclass_student(request, student_id: int):
    if request.user.role == Role.TEACHER:  # teachers see lessons and documents, not the preparation notes
        raise Http404
    return get_object_or_404(students_for(request.user).select_related("manager", "campus"), pk=student_id)


@login_required
def preclass_detail(request, student_id: int, bound: dict | None = None):
    student = _preclass_student(request, student_id)
    pre = PreClass.objects.filter(student=student).select_related("first_lesson__teacher").first()
    lesson = pre.first_lesson if pre else None
    initial = (
        {
            "starts_at": timezone.localtime(lesson.starts_at),
            "ends_at": timezone.localtime(lesson.ends_at),
            "subject": lesson.subject,
            "hours": lesson.hours,
            "teacher": lesson.teacher_id,
            "classroom": lesson.classroom,
        }
        if lesson
        else {}
    )
    forms = {
        "first_lesson": FirstLessonForm(initial=initial, student=student),
        "talk": TalkForm(),
        "parent_told": ParentToldForm(
            initial={"told_at": timezone.localtime().replace(second=0, microsecond=0)}
        ),
        **(bound or {}),
    }
    context = {
        "student": student,
        "pre": pre,
        "forms": forms,
        "deadlines": selectors.preclass_deadlines(pre) if pre else {},
        "may_plan": services.may_plan(request.user, student),
        "is_manager": request.user.pk == student.manager_id,
        "now": timezone.now(),
        # Once the first lesson has begun, the pre-class steps not done are missed, no longer forms.
        "begun": lesson is not None and lesson.starts_at <= timezone.now(),
    }
    return TemplateResponse(request, "handover/preclass.html", context)


PRECLASS_STEPS = {
    "first_lesson": (
        lambda student, data: FirstLessonForm(data, student=student),
        lambda student, pre, user, form: services.first_lesson_set(
            student=student, actor=user, **{k: v for k, v in form.cleaned_data.items() if k != "short_notice"}
        ),
    ),
    "talk": (
        lambda student, data: TalkForm(data),
        lambda student, pre, user, form: services.preclass_talk(pre=pre, actor=user, **form.cleaned_data),
    ),
    "parent_told": (
        lambda student, data: ParentToldForm(data),
        lambda student, pre, user, form: services.preclass_parent_told(
            pre=pre, actor=user, **form.cleaned_data
        ),
    ),
    "documents_ready": (
        None,
        lambda student, pre, user, form: services.preclass_documents_ready(pre=pre, actor=user),
    ),
}


@login_required
@require_POST
def preclass_step(request, student_id: int, step: str):
    if step not in PRECLASS_STEPS:
        raise Http404
    student = _preclass_student(request, student_id)
    pre = PreClass.objects.filter(student=student).select_related("student").first()
    if pre is None and step != "first_lesson":
        raise Http404
    make_form, action = PRECLASS_STEPS[step]
    form = make_form(student, request.POST) if make_form else None
    if form is None or form.is_valid():
        try:
            done = action(student, pre, request.user, form)
        except ValidationError as error:
            if form is None or not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect("handover:preclass", student.pk)
            form.add_service_error(error)
        else:
            if done is False:
                messages.info(request, _("This was already recorded."))
            else:
                messages.success(request, _("Recorded."))
            return redirect("handover:preclass", student.pk)
    return preclass_detail(request, student.pk, bound={step: form})


@login_required
def weekend(request):
    """P4: a manager's weekend students by time slot with their teachers, printable; the manager
    confirms it. Supervisors and directors look at their managers' with ?manager=."""
    user = request.user
    managers = selectors.weekend_managers_for(user)
    try:
        manager_id = int(request.GET.get("manager") or user.pk)
    except ValueError:
        raise Http404 from None
    manager = get_object_or_404(managers, pk=manager_id)
    saturday = services.coming_saturday(timezone.localdate())
    timetable = WeekendTimetable.objects.filter(manager=manager, saturday=saturday).first()
    context = {
        "manager": manager,
        "managers": managers.order_by("full_name") if user.role in (Role.SUPERVISOR, Role.DIRECTOR) else [],
        "saturday": saturday,
        "days": selectors.weekend_lessons(manager, saturday),
        "timetable": timetable,
        "deadline": selectors.weekend_deadline(timetable) if timetable else None,
        "now": timezone.now(),
    }
    return TemplateResponse(request, "handover/weekend.html", context)


@login_required
@require_POST
def weekend_confirm(request):
    saturday = services.coming_saturday(timezone.localdate())
    timetable = get_object_or_404(WeekendTimetable, manager=request.user, saturday=saturday)
    if services.weekend_timetable_confirm(timetable=timetable, actor=request.user):
        messages.success(request, _("Weekend timetable confirmed."))
    else:
        messages.info(request, _("This was already recorded."))
    return redirect("handover:weekend")
