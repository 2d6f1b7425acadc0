from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts import home
from students import events
from students.sections import Section, register


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-up")

    def ready(self):
        from . import receivers as r
        from . import sections
        from .home import PART

        home.register(PART)  # the follow-up counts on a learning manager's home

        # Its sections of the student page; a teacher's page shows the concerns only. The printed
        # record of a period shows its records of that period.
        register(
            Section(
                "followups",
                40,
                context=sections.student_page,
                limited=sections.concern_section,
                record=sections.record_part,
            )
        )

        # What follow-up does when the file announces something: `grep -rn lesson_taught` and the like.
        events.contract_renewed.connect(r.after_contract_renewed, dispatch_uid="followups.contract_renewed")
        events.contract_corrected.connect(
            r.after_contract_corrected, dispatch_uid="followups.contract_corrected"
        )
        events.lessons_scheduled.connect(
            r.after_lessons_scheduled, dispatch_uid="followups.lessons_scheduled"
        )
        events.lesson_changed.connect(r.after_lesson_changed, dispatch_uid="followups.lesson_changed")
        events.lesson_missed.connect(r.after_lesson_missed, dispatch_uid="followups.lesson_missed")
        events.first_lesson_taught.connect(
            r.after_first_lesson_taught, dispatch_uid="followups.first_lesson_taught"
        )
        events.lesson_taught.connect(r.after_lesson_taught, dispatch_uid="followups.lesson_taught")
        events.document_added.connect(r.after_document_added, dispatch_uid="followups.document_added")
