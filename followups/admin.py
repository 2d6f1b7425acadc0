from django.contrib import admin

from config.admin import ReadOnlyAdmin

from .models import Callback, ExamScore


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
