from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts import home
from students.events import student_assigned
from students.sections import Section, register


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self):
        from timeline import audience

        from .selectors import cases_for

        audience.declare("retention.case", cases_for)

        from . import receivers, sections

        register(Section("retention", 60, context=sections.student_page, limited=sections.student_page))

        student_assigned.connect(receivers.after_student_assigned, dispatch_uid="retention.student_assigned")

        # The cases waiting for the director's, the president's or the head teacher's move.
        from .home import QUEUES

        for queue in QUEUES:
            home.queue(queue)
