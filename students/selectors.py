from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts import scope
from deadlines.models import ACTIVE
from timeline.models import Event

from .models import Student


def students_for(user) -> QuerySet[Student]:
    return Student.objects.filter(scope.caseload_q(user))


def caseload(user, *, now=None) -> QuerySet[Student]:
    """The students list: the user's students with their open and late deadlines, late ones first."""
    now = now or timezone.now()
    active = Q(deadlines__status__in=ACTIVE)
    return (
        students_for(user)
        .select_related("manager", "campus")
        .annotate(
            active=Count("deadlines", filter=active),
            late=Count("deadlines", filter=active & Q(deadlines__due_at__lte=now)),
        )
        .order_by("-late", "full_name", "pk")
    )


def student_timeline(student: Student, *, limit: int = 200) -> QuerySet[Event]:
    """The newest events of a student already fetched through students_for()."""
    return student.timeline.select_related("actor").order_by("-at", "-pk")[:limit]
