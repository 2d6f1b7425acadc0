from django.contrib import admin

from .models import Student


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "campus", "manager", "grade", "school", "created_at"]
    list_filter = ["campus", "grade"]
    search_fields = ["full_name", "school", "manager__full_name", "manager__username"]
    list_select_related = ["campus", "manager"]
    autocomplete_fields = ["manager"]
