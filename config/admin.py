from django.contrib import admin

from .forms import BoundedModelForm


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the clock writes through its services, each change on the timeline: shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BoundedAdmin(admin.ModelAdmin):
    """The set-up rows an administrator keeps (campuses, teams, calendar days, approval steps): edited
    here, through a form with the bounds of every form (config/forms.py)."""

    form = BoundedModelForm


class BoundedInline(admin.TabularInline):
    form = BoundedModelForm
