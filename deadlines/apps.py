from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts import home


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self):
        from . import home as parts

        # The person's day on their home, and the navigation's late, due-today and unread counts.
        for part in parts.PARTS:
            home.register(part)
        home.count("deadlines", parts.nav_counts)
        # What the sweep escalated to the campus director, on the director's and the president's home.
        for queue in parts.QUEUES:
            home.queue(queue)
