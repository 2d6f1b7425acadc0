from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students")

    def ready(self):
        from timeline import audience

        from .home import QUEUES
        from .selectors import files_for, students_for

        # Rows about a student, and about their guardians, contracts, lessons and documents.
        audience.declare(audience.STUDENT, files_for)
        # The students a user may see, for the pages below the file that link to a student's page.
        audience.declare_students(students_for)

        # The campus's unassigned students, on the supervisor's and the director's home.
        from accounts import home

        from .home import ASSIGNER_QUEUES

        for queue in ASSIGNER_QUEUES:
            home.queue(queue)
        # The consultant's, the scheduler's and the teacher's queues on their homes.
        for queue in QUEUES:
            home.queue(queue)
