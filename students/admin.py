from django.contrib import admin

from .models import Contract, Document, Guardian, Lesson, Student


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "status", "campus", "manager", "grade", "school", "created_at"]
    list_filter = ["status", "campus", "grade"]
    search_fields = ["full_name", "school", "manager__full_name", "manager__username", "guardians__phone"]
    list_select_related = ["campus", "manager"]
    autocomplete_fields = ["manager"]
    inlines = [GuardianInline]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "student", "signed_at", "consultant", "subjects", "hours", "amount"]
    list_filter = ["student__campus"]
    search_fields = ["number", "student__full_name", "consultant__full_name"]
    list_select_related = ["student", "consultant"]
    autocomplete_fields = ["student", "consultant"]
    date_hierarchy = "signed_at"


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "student", "subject", "teacher", "classroom", "hours", "status"]
    list_filter = ["status", "student__campus", "subject"]
    search_fields = ["student__full_name", "teacher__full_name", "classroom"]
    list_select_related = ["student", "teacher"]
    autocomplete_fields = ["student", "teacher"]
    date_hierarchy = "starts_at"


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["student", "kind", "title", "uploaded_by", "uploaded_at", "given_to_parent_on"]
    list_filter = ["kind", "student__campus"]
    search_fields = ["student__full_name", "title"]
    list_select_related = ["student", "uploaded_by"]
    autocomplete_fields = ["student", "uploaded_by"]
