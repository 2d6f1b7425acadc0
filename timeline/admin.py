from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the timeline is append-only."""

    list_display = ["at", "kind", "student", "campus", "actor", "from_state", "to_state"]
    list_filter = ["kind", "campus"]
    search_fields = ["student__full_name", "actor__full_name", "reason"]
    list_select_related = ["student", "campus", "actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
