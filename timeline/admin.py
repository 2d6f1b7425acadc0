from django.contrib import admin

from config.admin import ReadOnlyAdmin

from .models import Access, Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The timeline is append-only."""

    list_display = ["at", "kind", "student", "campus", "actor", "from_state", "to_state"]
    list_filter = ["kind", "campus"]
    search_fields = ["student__full_name", "actor__full_name", "reason"]
    list_select_related = ["student", "campus", "actor"]
    date_hierarchy = "at"


@admin.register(Access)
class AccessAdmin(ReadOnlyAdmin):
    """The access log is append-only; entries older than ACCESS_LOG_DAYS are purged daily."""

    list_display = ["at", "actor", "action", "student", "campus", "detail"]
    list_filter = ["action", "campus"]
    search_fields = ["student__full_name", "actor__full_name", "actor__username", "detail"]
    list_select_related = ["student", "campus", "actor"]
    date_hierarchy = "at"
