from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts import home
from retention import case_page


class RefundsConfig(AppConfig):
    name = "refunds"
    verbose_name = _("Refunds")

    def ready(self):
        from deadlines import messages
        from followups.renewal import renewal_hold
        from timeline import audience

        from .home import QUEUE, approval_notice_text, approval_notice_url
        from .selectors import case_refund, refund_events, refunds_for, students_refund_under_way

        audience.declare("refunds.refund", refunds_for)
        # A refund under way: the student leaves the renewal list and gets no renewal task (R1).
        renewal_hold("refunds", students_refund_under_way)
        # A lost case's refund on the case's page, and in its story.
        case_page.register(case_page.Part("refund", 10, context=case_refund, story=refund_events))
        home.queue(QUEUE)
        # The notice that a refund waits for its approver: its text and where it is decided.
        messages.describe("refunds.refund", text=approval_notice_text, url=approval_notice_url)
