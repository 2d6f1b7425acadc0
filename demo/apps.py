from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo company (`manage.py seed_demo`): on the top layer, built only through the services.
    It has no models and no pages; nothing below it imports it."""

    name = "demo"
