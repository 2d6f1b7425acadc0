from django.contrib import admin

from config.admin import ReadOnlyAdmin

from .models import Case


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["student", "campus", "manager", "stage", "outcome", "kind", "raised_at"]
    list_filter = ["stage", "outcome", "kind", "campus"]
    search_fields = ["student__full_name", "description"]
