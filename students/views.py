from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts import scope
from accounts.models import Role
from deadlines.selectors import student_deadlines
from deadlines.services import WAIVERS

from .forms import CaseloadFilterForm, StudentFileForm
from .selectors import caseload, student_timeline, students_for, with_hours
from .services import can_edit_file, student_file_update


@login_required
def student_list(request):
    managers = scope.people_for(request.user).filter(role=Role.LEARNING_MANAGER).order_by("full_name")
    form = CaseloadFilterForm(request.GET or None, managers=managers)
    students = caseload(request.user, **form.filters())
    page = Paginator(students, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "form": form, "query": query.urlencode(), "now": timezone.now()}
    return TemplateResponse(request, "students/list.html", context)


def _student(request, pk: int):
    return get_object_or_404(
        with_hours(students_for(request.user).select_related("manager", "campus")), pk=pk
    )


@login_required
def student_detail(request, pk: int):
    student = _student(request, pk)
    deadlines = list(student_deadlines(student, request.user))
    now = timezone.now()
    context = {
        "student": student,
        "guardians": list(student.guardians.all()),
        "contracts": list(student.contracts.select_related("consultant")),
        "lessons": list(student.lessons.select_related("teacher").order_by("-starts_at")[:30]),
        "documents": list(student.documents.select_related("uploaded_by")),
        "active": [d for d in deadlines if d.is_active],
        "closed": [d for d in deadlines if not d.is_active],
        "timeline": student_timeline(student),
        "can_waive": request.user.role in WAIVERS,
        "can_edit_file": can_edit_file(request.user, student),
        "file_form": None,
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
