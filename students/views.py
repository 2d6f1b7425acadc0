from contextlib import suppress
from datetime import timedelta
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, OperationalError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scope
from accounts.models import Role
from config import exports
from config.bounds import MAX_DATE, MIN_DATE, in_bounds, key_from
from config.paging import CountedAhead
from deadlines.selectors import RowLinks
from deadlines.services import WAIVERS
from timeline.exports import export_refused, export_response
from timeline.models import Access
from timeline.services import access_record

from . import privacy, sections
from .contract_import import HEADER_ROWS as IMPORT_HEADERS
from .contract_import import (
    TEMPLATE_NAME,
    contract_import_confirm,
    contract_import_expire,
    contract_import_history,
    contract_import_preview,
    contract_import_start,
    contract_import_students,
    contract_import_template,
)
from .exports import student_list_export
from .forms import (
    AssignForm,
    CaseloadFilterForm,
    ContractCorrectionForm,
    ContractImportConfirmForm,
    ContractImportForm,
    ContractIntakeForm,
    DocumentForm,
    GuardianCorrectionForm,
    GuardianForm,
    LessonChangeForm,
    LessonForm,
    LessonMarkForm,
    RecordPeriodForm,
    RenewalForm,
    StudentCorrectionForm,
    StudentFileForm,
    TimetableForm,
)
from .models import ContractImport, Document, Lesson
from .selectors import (
    TIMELINE_FILTERS,
    TIMELINE_LABELS,
    TIMETABLE_LIMIT,
    TIMETABLE_ROLES,
    TIMETABLE_ROOM_WEEKS,
    TIMETABLE_WHOLE_CAMPUS,
    attendance,
    caseload,
    files_for,
    personal_file,
    record_start,
    status_shown,
    student_deadlines,
    student_readable,
    student_timeline,
    students_for,
    timetable_week,
    with_hours,
    with_load,
)
from .services import (
    ASSIGNERS,
    SIGNERS,
    AssignmentChanged,
    assignable_managers,
    booking_refusal,
    can_edit_file,
    contract_correct,
    contract_sign,
    correctable_contracts,
    document_add,
    guardian_add,
    guardian_correct,
    lesson_change,
    lesson_mark,
    lessons_schedule,
    markable,
    may_add_document,
    may_book,
    may_correct_contract,
    may_plan,
    may_record_given,
    money_correction_refusal,
    renewal_refusal,
    student_assign,
    student_correct,
    student_file_update,
)

LIST_PAGE = 50  # students a page of the list


@login_required
def student_list(request):
    """The caseload list with its filters; ?format=xlsx the same list, every row, as a workbook."""
    managers = scope.people_for(request.user).filter(role=Role.LEARNING_MANAGER).order_by("full_name")
    campuses = scope.campuses_for(request.user) if request.user.is_company_wide else None
    form = CaseloadFilterForm(request.GET or None, managers=managers, campuses=campuses)
    students = caseload(request.user, **form.filters())
    if exports.asked(request):
        if not form.errors:
            campus_id = form.filters().get("campus_id")
            return export_response(request, student_list_export(students, form), campus_id=campus_id)
        export_refused(request)
    pages = CountedAhead(students, LIST_PAGE, asked=request.GET.get("page"))
    page = pages.get_page(request.GET.get("page"))
    for student in page:
        status_shown(student)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "now": timezone.now(),
        "can_sign": request.user.role in SIGNERS,
        "phone_truncated": students.phone_truncated,
        "more_pages": pages.more,
    }
    return TemplateResponse(request, "students/list.html", context)


def _student(request, pk: int):
    return get_object_or_404(
        with_hours(students_for(request.user).select_related("manager", "campus")), pk=pk
    )


def _closed_before(request) -> int | None:
    """?closed_before=<deadline id>: the closed clocks after that one, else None."""
    return key_from(request.GET.get("closed_before", ""))


def _timeline_context(request, student, readable=None) -> dict:
    """The timeline's newest page, or with ?before=<event id> the page after that event; ?show= a
    filter."""
    show = request.GET.get("show", "")
    show = show if show in TIMELINE_FILTERS else ""
    before = key_from(request.GET.get("before", ""))
    page = student_timeline(student, request.user, show=show, before=before, readable=readable)
    return {
        "timeline": page.events,
        "timeline_next": page.next_before,
        "timeline_older": before is not None,  # a later page: a link back to the newest
        "show": show,
        "timeline_labels": TIMELINE_LABELS,
    }


@login_required
def student_detail(request, pk: int):
    student = _student(request, pk)
    user, now = request.user, timezone.now()
    if request.htmx and {"show", "before"} & set(request.GET) and user.role != Role.TEACHER:
        # A timeline filter (the whole timeline), or its next events (the rows that follow).
        context = {"student": student, **_timeline_context(request, student)}
        part = "timeline_rows" if "before" in request.GET else "timeline"
        return TemplateResponse(request, f"students/detail.html#{part}", context)
    closed_before = _closed_before(request)
    if request.htmx and closed_before is not None and user.role != Role.TEACHER:
        # The closed clocks that follow (the rows only).
        clocks = student_deadlines(student, user, now=now, closed_before=closed_before, only_closed=True)
        context = {"student": student, "closed": clocks.closed, "closed_next": clocks.closed_next}
        return TemplateResponse(request, "students/detail.html#closed_rows", context)
    access_record(actor=user, action=Access.Action.FILE_OPENED, student=student)
    status_shown(student)  # no hours left: ended, whatever the row says a moment before the check
    if user.role == Role.TEACHER:  # a teacher sees the student's lessons and documents, not the file
        context = {
            "student": student,
            "limited": True,
            "lessons": list(student.lessons.select_related("teacher").order_by("-starts_at")[:30]),
            "documents": list(student.documents.select_related("uploaded_by")),
            "may_add_document": may_add_document(user, student),
            "now": now,
            # The sections the apps above contribute to a teacher's page: concerns, the retention case.
            **sections.sections_context(student, user, limited=True),
        }
        context["markable"] = {lesson.pk for lesson in context["lessons"] if markable(user, lesson, now)}
        return TemplateResponse(request, "students/detail.html", context)
    readable = student_readable(student, user)  # the timeline's and the clocks' rows, asked once
    clocks = student_deadlines(student, user, now=now, closed_before=closed_before, readable=readable)
    lessons = list(
        student.lessons.select_related("teacher", "absence_reason", "talk").order_by("-starts_at")[:30]
    )
    contracts = list(student.contracts.select_related("consultant"))
    # Late ones first, then by due time (the list below is read top down: what to do next).
    active = clocks.active
    # The header counts the clocks this reader may see, as the list below shows them.
    student.open_deadlines, student.late_deadlines = len(active), sum(d.due_at <= now for d in active)
    context = {
        "student": student,
        "guardians": list(student.guardians.all()),
        "contacts_in_full": privacy.reads_contacts_in_full(user),
        "may_reveal_contacts": privacy.may_reveal_contacts(user),
        "contracts": contracts,
        "correctable": correctable_contracts(user, student, contracts),
        "lessons": lessons,
        "markable": {lesson.pk for lesson in lessons if markable(user, lesson, now)},
        "may_plan": may_plan(user, student),
        "may_book": may_book(user, student),
        "may_add_document": may_add_document(user, student),
        "documents": list(student.documents.select_related("uploaded_by")),
        # The sections the apps above contribute (students/sections.py): handovers, follow-up, retention.
        **sections.sections_context(student, user),
        "active": active,
        # The closed clocks: their count and the latest ones (?closed_before= the page after one).
        "closed": clocks.closed,
        "closed_count": clocks.closed_count,
        "closed_next": clocks.closed_next,
        "closed_older": closed_before is not None,  # a later page: a link back to the latest
        # Lessons with a talk (L3) or a change to pass on (L10) waiting.
        "talk_due": {d.subject_id for d in active if d.rule == "L3"},
        "change_due": {d.subject_id for d in active if d.rule == "L10"},
        **_timeline_context(request, student, readable),
        "can_waive": request.user.role in WAIVERS,
        "can_edit_file": can_edit_file(request.user, student),
        "can_assign": request.user.role in ASSIGNERS,
        "can_sign": request.user.role in SIGNERS,
        "may_renew": request.user.role in SIGNERS and not renewal_refusal(student),
        "file_form": None,
        "open_entry": request.GET.get("open", ""),
        "now": now,
    }
    return TemplateResponse(request, "students/detail.html", context)


@login_required
def student_file_edit(request, pk: int):
    """The personal file, edited in place (htmx swaps the section; without JavaScript, a page)."""
    student = _student(request, pk)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = StudentFileForm(request.POST or None, instance=student)
    if request.method == "POST" and form.is_valid():
        student_file_update(student=student, actor=request.user, changes=form.cleaned_data)
        if not request.htmx:
            return redirect(student)
        student.refresh_from_db()
        form = None
    context = {"student": student, "file_form": form, "can_edit_file": True}
    template = "students/detail.html#file" if request.htmx else "students/file_edit.html"
    return TemplateResponse(request, template, context)


@login_required
def contract_new(request):
    """The consultant enters a signed contract with a new student; the supervisor assigns a manager next."""
    if request.user.role not in SIGNERS:
        raise PermissionDenied
    form = ContractIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contract = contract_sign(actor=request.user, **form.parts())
        except IntegrityError:  # the same number entered at the same moment in another window
            form.add_error("number", _("A contract with this number has already been entered."))
        else:
            messages.success(request, _("Contract %(number)s entered.") % {"number": contract.number})
            return redirect(contract.student)
    return TemplateResponse(request, "students/contract_new.html", {"form": form})


@login_required
def student_assign_view(request, pk: int):
    student = _student(request, pk)
    if request.user.role not in ASSIGNERS:
        raise PermissionDenied
    managers = with_load(assignable_managers(request.user, student))
    form = AssignForm(request.POST or None, managers=managers, student=student)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        names = {"student": student.full_name, "manager": data["manager"].display_name}
        try:
            changed = student_assign(
                student=student,
                manager=data["manager"],
                actor=request.user,
                reason=data["reason"],
                seen_manager_id=form.seen_manager_id(),
            )
        except AssignmentChanged as error:  # another assigner was quicker: say so, change nothing
            messages.warning(request, error.messages[0])
            return redirect(student)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if changed:
                messages.success(request, _("%(student)s is now with %(manager)s.") % names)
            else:
                messages.info(request, _("%(student)s is already with %(manager)s.") % names)
            return redirect(student)
    return TemplateResponse(request, "students/assign.html", {"student": student, "form": form})


@login_required
def course_schedule(request, pk: int):
    """课程安排表: the student's lessons from today on, printable on A4 to hand to the parent."""
    student = _student(request, pk)
    lessons = (
        student.lessons.filter(
            status=Lesson.Status.SCHEDULED,
            starts_at__gte=timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0),
        )
        .select_related("teacher")
        .order_by("starts_at")
    )
    context = {
        "student": student,
        "lessons": lessons,
        # A teacher prints the timetable but does not read the family's file.
        "guardian": student.guardians.first()
        if files_for(request.user).filter(pk=student.pk).exists()
        else None,
        "today": timezone.localdate(),
    }
    access_record(
        actor=request.user, action=Access.Action.PRINT, student=student, detail=_("Course schedule")
    )
    return TemplateResponse(request, "students/schedule.html", context)


@login_required
def lessons_new(request, pk: int):
    student = _student(request, pk)
    if not may_plan(request.user, student):
        raise PermissionDenied
    if refusal := booking_refusal(student):  # no hours left or refunded: nothing to book, say why
        messages.error(request, refusal)
        return redirect(f"{student.get_absolute_url()}#lessons")
    form = LessonForm(request.POST or None, student=student)
    if request.method == "POST" and form.is_valid():
        try:
            booked = lessons_schedule(student=student, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(count)d lessons scheduled.") % {"count": len(booked)})
            return redirect(student)
    return TemplateResponse(request, "students/lessons_new.html", {"student": student, "form": form})


@login_required
def lesson_edit(request, pk: int, lesson_id: int):
    """Move a lesson still to come, or change its teacher or classroom (the manager passes it on, L10)."""
    student = _student(request, pk)
    lesson = get_object_or_404(
        Lesson.objects.select_related("student", "teacher"), pk=lesson_id, student=student
    )
    if not may_plan(request.user, student):
        raise PermissionDenied
    form = LessonChangeForm(request.POST or None, lesson=lesson)
    if request.method == "POST" and form.is_valid():
        try:
            changes = lesson_change(lesson=lesson, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if changes:
                messages.success(request, _("Lesson changed; the learning manager tells the family."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(f"{student.get_absolute_url()}#lessons")
    context = {"student": student, "lesson": lesson, "form": form}
    return TemplateResponse(request, "students/lesson_edit.html", context)


@login_required
@require_POST
def lesson_mark_view(request, pk: int, lesson_id: int):
    student = _student(request, pk)
    lesson = get_object_or_404(Lesson.objects.select_related("student"), pk=lesson_id, student=student)
    form = LessonMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A lesson is marked done or absent."))
        return redirect(f"{student.get_absolute_url()}#lessons")
    try:
        done = lesson_mark(lesson=lesson, actor=request.user, status=form.cleaned_data["status"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if not done:
            messages.info(request, _("This lesson was already marked."))
    return redirect(f"{student.get_absolute_url()}#lessons")


@login_required
def document_new(request, pk: int):
    student = _student(request, pk)
    if not may_add_document(request.user, student):
        raise PermissionDenied
    # ?kind= preselects the kind (the teacher's queue links a plan or a record to upload).
    kind = request.GET.get("kind", "")
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        may_give=may_record_given(request.user, student),
        initial={"kind": kind} if kind in Document.Kind.values else None,
        uploader=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            document_add(student=student, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Document filed."))  # the same answer to the form sent twice
            return redirect(f"{student.get_absolute_url()}#documents")
    return TemplateResponse(request, "students/document_new.html", {"student": student, "form": form})


@login_required
@require_POST
def guardian_contacts(request, pk: int, guardian_id: int):
    """A guardian's numbers in full, for a role that may reveal them; the access log records it."""
    student = _student(request, pk)
    guardian = get_object_or_404(student.guardians, pk=guardian_id)
    if not privacy.may_reveal_contacts(request.user):
        raise PermissionDenied
    access_record(actor=request.user, action=Access.Action.PHONE, student=student, detail=guardian.name)
    context = {"student": student, "guardian": guardian, "in_full": True}
    template = "students/_contacts.html" if request.htmx else "students/contacts.html"
    return TemplateResponse(request, template, context)


@login_required
def document_download(request, pk: int, document_id: int):
    """Documents are private: served only to those who may see the student."""
    student = _student(request, pk)
    document = get_object_or_404(Document, pk=document_id, student=student)
    access_record(actor=request.user, action=Access.Action.DOCUMENT, student=student, detail=str(document))
    try:
        return FileResponse(
            document.file.open("rb"), as_attachment=False, filename=Path(document.file.name).name
        )
    except FileNotFoundError:
        raise Http404 from None


@login_required
def contract_import_new(request):
    if request.user.role not in SIGNERS:
        raise PermissionDenied
    form = ContractImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = contract_import_start(
            actor=request.user, file_name=form.cleaned_data["file"].name, text=form.text
        )
        return redirect("students:import", job.pk)
    jobs = ContractImport.objects.filter(created_by=request.user)[:10]
    context = {"form": form, "jobs": jobs, "headers": IMPORT_HEADERS}
    return TemplateResponse(request, "students/import_new.html", context)


@login_required
def contract_import_template_view(request):
    """The workbook to fill in, with the headers the import reads."""
    if request.user.role not in SIGNERS:
        raise PermissionDenied
    return FileResponse(
        contract_import_template(),
        as_attachment=True,
        filename=TEMPLATE_NAME,
        content_type=exports.CONTENT_TYPE,
    )


IMPORT_PAGE = 200  # rows of the preview, or students created, a page


@login_required
def contract_import_status(request, pk: int):
    """The job's progress; once checked, its rows with their problems (the preview) and the button
    that imports them; once imported, the students created."""
    # Polled every second while running: the file itself (up to 5 MB) is the worker's, not the page's.
    job = get_object_or_404(ContractImport.objects.defer("text"), pk=pk, created_by=request.user)
    # A job whose worker died stops here, and the page says what to do; on SQLite, while the worker
    # writes, the beat task marks it a little later.
    with suppress(OperationalError):
        contract_import_expire(job=job)
    context = {"job": job}
    if not job.running:
        problems, rows = contract_import_preview(job)
        shown = contract_import_students(job, request.user) if job.status == job.Status.DONE else rows
        context |= {
            "problems": problems,
            "page": Paginator(shown, IMPORT_PAGE).get_page(request.GET.get("page")),
            "history": contract_import_history(job),
            "confirm": ContractImportConfirmForm(job=job) if job.status == job.Status.READY else None,
        }
    template = "students/import.html#progress" if request.htmx else "students/import.html"
    return TemplateResponse(request, template, context)


@login_required
@require_POST
def contract_import_confirm_view(request, pk: int):
    """The uploader imports the rows they saw; a second click finds the job confirmed and does nothing."""
    job = get_object_or_404(ContractImport.objects.defer("text", "rows"), pk=pk, created_by=request.user)
    form = ContractImportConfirmForm(request.POST, job=job)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("job", [_("Reload the page and try again.")])))
    elif not contract_import_confirm(job=job, actor=request.user):
        messages.info(request, _("This import is not waiting for a confirmation: nothing more was done."))
    return redirect("students:import", job.pk)


@login_required
def contract_renew(request, pk: int):
    """The consultant enters a further contract (a renewal) of a student already in the file."""
    student = _student(request, pk)
    if request.user.role not in SIGNERS:
        raise PermissionDenied
    if refusal := renewal_refusal(student):  # a refunded student's file is closed
        messages.error(request, refusal)
        return redirect(student)
    form = RenewalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contract = contract_sign(actor=request.user, student=student, **form.parts())
        except IntegrityError:
            form.add_error("number", _("A contract with this number has already been entered."))
        except ValidationError as error:  # refunded meanwhile
            form.add_service_error(error)
        else:
            messages.success(request, _("Contract %(number)s entered.") % {"number": contract.number})
            return redirect(student)
    return TemplateResponse(request, "students/contract_renew.html", {"student": student, "form": form})


@login_required
def guardian_new(request, pk: int):
    student = _student(request, pk)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        key = values.pop("request_key")
        guardian_add(student=student, actor=request.user, values=values, request_key=key)
        messages.success(request, _("Guardian added."))  # the same answer to the form sent twice
        return redirect(student)
    return TemplateResponse(request, "students/guardian_new.html", {"student": student, "form": form})


@login_required
def timetable(request):
    """The campus's timetable (?week=any day of a week, ?day=one day, YYYY-MM-DD; ?page= of a day):
    lessons by day and time, with the classrooms free in each slot. For the scheduler and the
    director, one day at a time (today, or the first day of another week), tabs for the week's days;
    read-only, and for supervisors and managers their students' lessons, the week at once (at most a
    page of it) or one day. A bad date is a message and today's week."""
    user = request.user
    if user.role not in TIMETABLE_ROLES or user.campus_id is None:
        raise PermissionDenied
    form = TimetableForm(request.GET)
    form.is_valid()
    if "week" in form.errors:
        messages.error(
            request, _("Choose the week by one of its days (YYYY-MM-DD, 2000–2100); this week is shown.")
        )
    if "day" in form.errors:
        messages.error(request, _("Choose the day as YYYY-MM-DD, between 2000 and 2100; this week is shown."))
    values = getattr(form, "cleaned_data", {})
    whole_campus = user.role in TIMETABLE_WHOLE_CAMPUS
    today = timezone.localdate()
    this_week = today - timedelta(days=today.weekday())
    day = values.get("day")
    if day is not None:
        monday = day - timedelta(days=day.weekday())
    else:
        week = None if "day" in form.errors else values.get("week")
        week = week or today
        monday = week - timedelta(days=week.weekday())
        if whole_campus:
            day = today if monday == this_week else monday
    table = timetable_week(user, monday, day=day, page=values.get("page") or 1)
    links = RowLinks()  # the student page's URL reversed once, not once per lesson
    for shown in table.days:
        for slot in shown.slots:
            for lesson in slot.lessons:
                lesson.url = links.student(lesson.student_id)
    step = timedelta(days=7)
    context = {
        "table": table,
        "days": table.days,
        "rooms": table.rooms,
        "count": table.lessons,
        "teachers": table.teachers,
        "day": day,
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        # Another week: the same weekday of it when one day is shown (none before 2000 or after 2100).
        "previous": (day or monday) - step if in_bounds((day or monday) - step) else None,
        "next": (day or monday) + step if in_bounds((day or monday) + step) else None,
        "today": today,
        "this_week": this_week,
        "first_day": MIN_DATE,
        "last_day": MAX_DATE,
        "limit": TIMETABLE_LIMIT,
        "room_weeks": TIMETABLE_ROOM_WEEKS,
        "whole_campus": whole_campus,
    }
    return TemplateResponse(request, "students/timetable.html", context)


def _corrected(request, changes: dict) -> None:
    """The answer to a correction; the same form sent twice finds nothing more to change."""
    if changes:
        messages.success(request, _("Corrected; the timeline keeps what it was."))
    else:
        messages.info(request, _("Nothing was changed."))


@login_required
def student_edit(request, pk: int):
    """The student's mistyped name, gender, school or grade put right, with the reason."""
    student = _student(request, pk)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = StudentCorrectionForm(request.POST or None, student=student)
    if request.method == "POST" and form.is_valid():
        try:
            changes = student_correct(
                student=student,
                actor=request.user,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            _corrected(request, changes)
            return redirect(student)
    return TemplateResponse(request, "students/student_edit.html", {"student": student, "form": form})


@login_required
def guardian_edit(request, pk: int, guardian_id: int):
    """A guardian's mistyped details put right, with the reason."""
    student = _student(request, pk)
    guardian = get_object_or_404(student.guardians, pk=guardian_id)
    if not can_edit_file(request.user, student):
        raise PermissionDenied
    form = GuardianCorrectionForm(request.POST or None, guardian=guardian)
    if request.method == "POST" and form.is_valid():
        try:
            changes = guardian_correct(
                guardian=guardian,
                actor=request.user,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            _corrected(request, changes)
            return redirect(student)
    context = {"student": student, "guardian": guardian, "form": form}
    return TemplateResponse(request, "students/guardian_edit.html", context)


@login_required
def contract_edit(request, pk: int, contract_id: int):
    """A contract's mistyped details put right, with the reason: by its consultant until the handover
    is signed, then by the student's supervisor or the director. Under a submitted refund its hours,
    price and amount are shown but not open to change."""
    student = _student(request, pk)
    contract = get_object_or_404(student.contracts.select_related("consultant"), pk=contract_id)
    contract.student = student
    if not may_correct_contract(request.user, contract):
        raise PermissionDenied
    money_refusal = money_correction_refusal(student)
    form = ContractCorrectionForm(request.POST or None, contract=contract, money_locked=bool(money_refusal))
    if request.method == "POST" and form.is_valid():
        try:
            changes = contract_correct(contract=contract, actor=request.user, **form.parts())
        except IntegrityError:  # the same number given to another contract at the same moment
            form.add_error("number", _("A contract with this number has already been entered."))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            _corrected(request, changes)
            return redirect(student)
    context = {"student": student, "contract": contract, "form": form, "money_refusal": money_refusal}
    return TemplateResponse(request, "students/contract_edit.html", context)


@login_required
def student_record(request, pk: int):
    """The student's record of a period on A4 (?from=&to=, by default from the first contract until
    today): the personal file, contracts and hours, the lessons, and the records the follow-up
    contributes (students.sections: scores with their chart, callbacks, growth records, concerns).
    For those who read the file: a teacher, who sees the lessons only, gets a 404."""
    student = get_object_or_404(files_for(request.user).select_related("manager", "campus"), pk=pk)
    contracts = list(student.contracts.select_related("consultant"))
    form = RecordPeriodForm(request.GET, default=(record_start(contracts, student), timezone.localdate()))
    first, last = form.period()
    access_record(actor=request.user, action=Access.Action.PRINT, student=student, detail=_("Student record"))
    context = {
        "student": student,
        "form": form,
        "first": first,
        "last": last,
        "contracts": contracts,
        "personal_file": personal_file(student),
        "attendance": attendance(student, first, last),
        "today": timezone.localdate(),
        **sections.record_context(student, request.user, first, last),
    }
    return TemplateResponse(request, "students/record.html", context)
