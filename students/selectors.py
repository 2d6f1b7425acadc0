from django.db.models import QuerySet

from accounts import scope

from .models import Student


def students_for(user) -> QuerySet[Student]:
    return Student.objects.filter(scope.caseload_q(user))
