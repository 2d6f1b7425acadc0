from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Campus
from config.admin import BoundedAdmin, ReadOnlyAdmin
from config.forms import BoundedForm

from .calendar_import import calendar_days_import
from .models import CalendarDay, Deadline, Delivery, Digest, Notification


class CalendarImportForm(BoundedForm):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: date,working,name — e.g. 2027-02-06,0,春节 or 2027-02-14,1,调休上班"
        ),
    )
    campus = forms.ModelChoiceField(
        Campus.objects.all(),
        required=False,
        label=gettext_lazy("Campus"),
        empty_label=gettext_lazy("The whole company (the official schedule)"),
    )


@admin.register(CalendarDay)
class CalendarDayAdmin(BoundedAdmin):
    list_display = ["date", "is_working_day", "name", "campus"]
    list_filter = ["is_working_day", "campus", ("date", admin.DateFieldListFilter)]
    search_fields = ["name", "date"]
    date_hierarchy = "date"
    change_list_template = "admin/deadlines/calendarday/change_list.html"

    def get_urls(self):
        extra = [
            path(
                "import/", self.admin_site.admin_view(self.import_view), name="deadlines_calendarday_import"
            ),
        ]
        return extra + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
                count = calendar_days_import(text=text, campus=form.cleaned_data["campus"])
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                self.message_user(request, _("%(count)d days entered.") % {"count": count}, messages.SUCCESS)
                return redirect("admin:deadlines_calendarday_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("Import working days"),
        }
        return TemplateResponse(request, "admin/deadlines/calendarday/import.html", context)


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["rule", "student", "owner", "campus", "due_at", "status", "escalation_level"]
    list_filter = ["status", "rule", "campus", "escalation_level"]
    search_fields = ["student__full_name", "owner__full_name", "owner__username", "reason"]
    list_select_related = ["student", "owner", "campus"]
    date_hierarchy = "due_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["kind", "recipient", "deadline", "deliver_after", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__full_name", "recipient__username"]
    list_select_related = ["recipient", "deadline"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Failed deliveries (filter by state) say why in their last error: a wrong address, an unknown
    WeCom account, a channel that kept refusing."""

    list_display = [
        *("recipient", "what", "channel", "state", "attempts", "next_attempt_at", "sent_at", "error")
    ]
    list_filter = ["state", "channel"]
    search_fields = ["notification__recipient__full_name", "digest__recipient__full_name", "last_error"]
    list_select_related = ["notification__recipient", "digest__recipient"]

    @admin.display(description=gettext_lazy("recipient"))
    def recipient(self, delivery):
        return (delivery.notification or delivery.digest).recipient

    @admin.display(description=gettext_lazy("what"))
    def what(self, delivery):
        if delivery.notification_id:
            return delivery.notification.get_kind_display()
        return f"{Digest._meta.verbose_name} {delivery.digest.day}"

    @admin.display(description=gettext_lazy("last error"))
    def error(self, delivery):
        return delivery.last_error[:120]


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "day", "overdue", "due_today", "waiting", "created_at"]
    list_filter = [("day", admin.DateFieldListFilter)]
    search_fields = ["recipient__full_name", "recipient__username"]
    list_select_related = ["recipient"]
    date_hierarchy = "day"
