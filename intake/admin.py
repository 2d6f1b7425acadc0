from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import ApiKeyForm, RevokeForm
from .models import ApiKey
from .services import apikey_create, apikey_revoke

SHOWN_ONCE_MADE = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made here and revoked here (an action with its reason); never changed, never shown
    again after the page that made them."""

    form = ApiKeyForm
    list_display = [
        "name",
        "prefix",
        "campus_codes",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    list_select_related = ["created_by"]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("campuses")

    def get_fields(self, request, obj=None):
        return ["name", "campuses"] + (SHOWN_ONCE_MADE if obj else [])

    def get_readonly_fields(self, request, obj=None):
        return SHOWN_ONCE_MADE if obj else []

    @admin.display(description=gettext_lazy("campuses"))
    def campus_codes(self, key):
        return ", ".join(campus.code for campus in key.campuses.all())

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the access log names the key's calls

    def save_model(self, request, obj, form, change):
        token = apikey_create(key=obj, campuses=form.cleaned_data["campuses"], actor=request.user)
        message = _("Copy the key now: it is shown this once only. %(key)s") % {"key": token}
        self.message_user(request, message, messages.WARNING)

    def save_related(self, request, form, formsets, change):
        """The service set the campuses with the key."""

    @admin.action(description=gettext_lazy("Revoke the chosen keys"), permissions=["add"])
    def revoke(self, request, queryset):
        form = RevokeForm(request.POST if "reason" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Revoke API keys"),
                "opts": self.model._meta,
                "keys": queryset,
                "form": form,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/intake/apikey/revoke.html", context)
        revoked = sum(
            apikey_revoke(key=key, actor=request.user, reason=form.cleaned_data["reason"]) for key in queryset
        )
        self.message_user(request, _("%(count)d keys revoked.") % {"count": revoked}, messages.SUCCESS)
        return None
