from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from config.admin import ReadOnlyAdmin

from .models import Contract, Document, Guardian, Lesson, Student
from .privacy import masked_phone

# The student's file is written through the product's pages, where every change is on the timeline
# and moves the clocks that depend on it; the admin shows it.


class GuardianInline(admin.TabularInline):
    """Guardians as the roles that do not call families read them: masked."""

    model = Guardian
    extra = 0
    fields = ["name", "relation", "phone_masked", "is_primary"]
    readonly_fields = fields

    @admin.display(description=_("phone"))
    def phone_masked(self, guardian):
        return masked_phone(guardian.phone)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Student)
class StudentAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "status", "campus", "manager", "grade", "school", "created_at"]
    list_filter = ["status", "campus", "grade"]
    search_fields = ["full_name", "school", "manager__full_name", "manager__username"]
    list_select_related = ["campus", "manager"]
    inlines = [GuardianInline]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["number", "student", "signed_at", "consultant", "subjects", "hours", "amount"]
    list_filter = ["student__campus"]
    search_fields = ["number", "student__full_name", "consultant__full_name"]
    list_select_related = ["student", "consultant"]
    date_hierarchy = "signed_at"


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "student", "subject", "teacher", "classroom", "hours", "status"]
    list_filter = ["status", "student__campus", "subject"]
    search_fields = ["student__full_name", "teacher__full_name", "classroom"]
    list_select_related = ["student", "teacher"]
    date_hierarchy = "starts_at"


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["student", "kind", "title", "uploaded_by", "uploaded_at", "given_to_parent_on"]
    list_filter = ["kind", "student__campus"]
    search_fields = ["student__full_name", "title"]
    list_select_related = ["student", "uploaded_by"]
