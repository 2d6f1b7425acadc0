from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake API")

    def ready(self):
        from timeline import audience

        from .selectors import apikeys_for

        # The keys' created and revoked events: the administrators', who keep the keys.
        audience.declare("intake.apikey", apikeys_for)
