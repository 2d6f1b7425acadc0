from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from deadlines.selectors import student_deadlines
from deadlines.services import WAIVERS

from .selectors import caseload, student_timeline, students_for


@login_required
def student_list(request):
    page = Paginator(caseload(request.user), 50).get_page(request.GET.get("page"))
    return TemplateResponse(request, "students/list.html", {"page": page})


@login_required
def student_detail(request, pk: int):
    student = get_object_or_404(students_for(request.user).select_related("manager", "campus"), pk=pk)
    deadlines = list(student_deadlines(student, request.user))
    context = {
        "student": student,
        "active": [d for d in deadlines if d.is_active],
        "closed": [d for d in deadlines if not d.is_active],
        "timeline": student_timeline(student),
        "can_waive": request.user.role in WAIVERS,
        "now": timezone.now(),
    }
    return TemplateResponse(request, "students/detail.html", context)
