from django.contrib import admin

from config.admin import BoundedAdmin, ReadOnlyAdmin

from .models import Approval, ApprovalStep, Refund


@admin.register(ApprovalStep)
class ApprovalStepAdmin(BoundedAdmin):
    """The company's refund approval chain: one row per step, in order."""

    list_display = ["position", "role"]
    ordering = ["position"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["student", "campus", "amount", "status", "waiting_role", "submitted_at", "paid_on"]
    list_filter = ["status", "campus"]
    search_fields = ["student__full_name", "applicant"]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["refund", "step", "role", "decision", "by", "at"]
    list_filter = ["decision", "role"]
