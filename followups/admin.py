from django.contrib import admin

from config.admin import ReadOnlyAdmin

from .models import Callback


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdmin):
    list_display = ["student", "at", "with_whom", "channel", "created_by"]
    list_filter = ["with_whom", "channel"]
    search_fields = ["student__full_name", "summary"]
    list_select_related = ["student", "created_by"]
    date_hierarchy = "at"
