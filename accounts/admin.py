from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from config.admin import BoundedAdmin, BoundedInline

from .forms import UserAddForm, UserChangeForm
from .models import Campus, Team, User


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
    search_fields = ["username", "full_name", "email", "phone"]
    list_select_related = ["campus", "team"]
    ordering = ["campus__name", "role", "username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "phone")}),
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
