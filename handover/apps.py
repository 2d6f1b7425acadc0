from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = _("Handover")

    def ready(self):
        from timeline import audience

        from . import selectors

        audience.declare("handover.handover", selectors.handovers_for)
        audience.declare("handover.paperitem", selectors.paper_items_for)
        audience.declare("handover.weekendtimetable", selectors.weekend_timetables_for)
