from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students")

    def ready(self):
        from timeline import audience

        from .selectors import files_for, students_for

        # Rows about a student, and about their guardians, contracts, lessons and documents.
        audience.declare(audience.STUDENT, files_for)
        # The students a user may see, for the pages below the file that link to a student's page.
        audience.declare_students(students_for)
