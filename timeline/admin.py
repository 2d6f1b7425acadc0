from django.contrib import admin

from config.admin import ReadOnlyAdmin

from .models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The timeline is append-only."""

    list_display = ["at", "kind", "student", "campus", "actor", "from_state", "to_state"]
    list_filter = ["kind", "campus"]
    search_fields = ["student__full_name", "actor__full_name", "reason"]
    list_select_related = ["student", "campus", "actor"]
    date_hierarchy = "at"
