from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from deadlines.models import ACTIVE
from deadlines.selectors import student_deadlines
from deadlines.services import WAIVERS

from .selectors import students_for


@login_required
def student_list(request):
    now = timezone.now()
    students = (
        students_for(request.user)
        .select_related("manager", "campus")
        .annotate(
            active=Count("deadlines", filter=Q(deadlines__status__in=ACTIVE)),
            late=Count("deadlines", filter=Q(deadlines__status__in=ACTIVE, deadlines__due_at__lte=now)),
        )
        .order_by("-late", "full_name", "pk")
    )
    page = Paginator(students, 50).get_page(request.GET.get("page"))
    return TemplateResponse(request, "students/list.html", {"page": page})


@login_required
def student_detail(request, pk: int):
    student = get_object_or_404(students_for(request.user).select_related("manager", "campus"), pk=pk)
    deadlines = student_deadlines(student, request.user)
    timeline = student.timeline.select_related("actor").order_by("-at", "-pk")[:200]
    context = {
        "student": student,
        "active": [d for d in deadlines if d.is_active],
        "closed": [d for d in deadlines if not d.is_active],
        "timeline": timeline,
        "can_waive": request.user.role in WAIVERS,
        "now": timezone.now(),
    }
    return TemplateResponse(request, "students/detail.html", context)
