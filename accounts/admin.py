from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config import import_files
from config.admin import BoundedAdmin, BoundedInline
from config.forms import BoundedForm

from .forms import UserAddForm, UserChangeForm
from .models import Campus, Team, User
from .wecom_import import wecom_accounts_import


class WeComImportForm(BoundedForm):
    file = forms.FileField(
        label=_("File (.xlsx or CSV)"),
        help_text=_("Columns: 用户名 (or 手机, or 邮箱) and 企业微信账号; an empty account clears it."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > import_files.MAX_BYTES:
            raise ValidationError(gettext("The file is larger than 5 MB."))
        self.text = import_files.upload_text(upload.read())  # its ValidationError says why not
        return upload


class TeamInline(BoundedInline):
    model = Team
    extra = 0
    fields = ["name", "supervisor"]


# What a person may do follows from their role (accounts.scope), not from permission groups.
admin.site.unregister(Group)


@admin.register(Campus)
class CampusAdmin(BoundedAdmin):
    list_display = ["name", "code", "phone", "opens_at", "closes_at", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "address"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(BoundedAdmin):
    list_display = ["name", "campus", "supervisor"]
    list_filter = ["campus"]
    search_fields = ["name", "supervisor__full_name", "supervisor__username"]
    list_select_related = ["campus", "supervisor"]
    autocomplete_fields = ["supervisor"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserAddForm
    list_display = ["username", "full_name", "role", "campus", "team", "is_active", "last_login"]
    list_filter = ["role", "campus", "team", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone", "wecom_userid"]
    list_select_related = ["campus", "team"]
    ordering = ["campus__name", "role", "username"]
    change_list_template = "admin/accounts/user/change_list.html"
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "phone", "wecom_userid")}),
        (_("Work"), {"fields": ("role", "campus", "team")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "role", "campus", "team", "password1", "password2"),
            },
        ),
    )

    def get_urls(self):
        extra = [
            path(
                "import-wecom/",
                self.admin_site.admin_view(self.wecom_import_view),
                name="accounts_user_wecom_import",
            ),
        ]
        return extra + super().get_urls()

    def wecom_import_view(self, request):
        """The people's WeCom accounts from a table: all rows or none."""
        if not self.has_change_permission(request):
            return redirect("admin:index")
        form = WeComImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                count = wecom_accounts_import(text=form.text)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                message = gettext("%(count)d people's WeCom accounts changed.") % {"count": count}
                self.message_user(request, message, messages.SUCCESS)
                return redirect("admin:accounts_user_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": gettext("Import WeCom accounts"),
        }
        return TemplateResponse(request, "admin/accounts/user/wecom_import.html", context)
