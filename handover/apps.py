from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts import home
from students.events import lesson_moving, student_assigned
from students.sections import Section, register


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = _("Handover")

    def ready(self):
        from timeline import audience

        from . import selectors

        audience.declare("handover.handover", selectors.handovers_for)
        audience.declare("handover.paperitem", selectors.paper_items_for)
        audience.declare("handover.weekendtimetable", selectors.weekend_timetables_for)

        from . import receivers, sections
        from .home import QUEUES

        # The consultant's and the scheduler's queues on their homes.
        for queue in QUEUES:
            home.queue(queue)

        register(Section("handover", 30, context=sections.student_page))

        student_assigned.connect(receivers.after_student_assigned, dispatch_uid="handover.student_assigned")
        lesson_moving.connect(receivers.before_lesson_moves, dispatch_uid="handover.lesson_moving")
