from django.contrib import admin

from config.admin import ReadOnlyAdmin

from .models import AbsenceReason, Callback, Concern, ExamScore, GrowthRecord


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdmin):
    list_display = ["student", "at", "with_whom", "channel", "created_by"]
    list_filter = ["with_whom", "channel"]
    search_fields = ["student__full_name", "summary"]
    list_select_related = ["student", "created_by"]
    date_hierarchy = "at"


@admin.register(ExamScore)
class ExamScoreAdmin(ReadOnlyAdmin):
    list_display = ["student", "exam_date", "kind", "subject", "score", "full_marks"]
    list_filter = ["kind", "subject"]
    search_fields = ["student__full_name", "analysis"]
    list_select_related = ["student"]


@admin.register(AbsenceReason)
class AbsenceReasonAdmin(ReadOnlyAdmin):
    list_display = ["lesson", "reason", "recorded_by", "recorded_at"]
    search_fields = ["lesson__student__full_name", "reason"]
    list_select_related = ["lesson__student", "recorded_by"]


@admin.register(GrowthRecord)
class GrowthRecordAdmin(ReadOnlyAdmin):
    list_display = ["student", "month", "created_by", "created_at"]
    search_fields = ["student__full_name", "text"]
    list_select_related = ["student", "created_by"]


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ["student", "kind", "raised_by", "raised_at", "handled_at"]
    list_filter = ["kind", ("handled_at", admin.EmptyFieldListFilter)]
    search_fields = ["student__full_name", "description"]
    list_select_related = ["student", "raised_by"]
