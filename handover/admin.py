from django.contrib import admin

from config.admin import BoundedAdmin, ReadOnlyAdmin

from .models import Handover, PaperItem, PaperItemKind, PreClass


@admin.register(PaperItemKind)
class PaperItemKindAdmin(BoundedAdmin):
    list_display = ["name", "campus", "order", "is_active"]
    list_filter = ["is_active", "campus"]
    search_fields = ["name"]
    list_editable = ["order", "is_active"]


class PaperItemInline(admin.TabularInline):
    model = PaperItem
    extra = 0
    can_delete = False
    readonly_fields = ["name", "present", "promised_on", "received_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["student", "contract", "manager", "consultant", "received_at", "paper_checked_at"]
    list_filter = ["campus"]
    search_fields = ["student__full_name", "contract__number", "manager__full_name", "consultant__full_name"]
    list_select_related = ["student", "contract", "manager", "consultant"]
    inlines = [PaperItemInline]


@admin.register(PreClass)
class PreClassAdmin(ReadOnlyAdmin):
    list_display = ["student", "first_lesson", "talk_at", "parent_told_at", "documents_ready_at"]
    search_fields = ["student__full_name"]
    list_select_related = ["student", "first_lesson"]
