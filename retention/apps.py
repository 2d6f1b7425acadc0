from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self):
        from timeline import audience

        from .selectors import cases_for

        audience.declare("retention.case", cases_for)
