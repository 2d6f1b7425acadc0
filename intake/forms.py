from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Campus
from config.forms import BoundedForm, BoundedModelForm

from .models import ApiKey


class ApiKeyForm(BoundedModelForm):
    """A new key in the admin: the integration's name and the campuses it may write to."""

    campuses = forms.ModelMultipleChoiceField(
        queryset=Campus.objects.filter(is_active=True),
        label=_("Campuses it may write to"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiKey
        fields = ["name", "campuses"]


class RevokeForm(BoundedForm):
    reason = forms.CharField(
        label=_("Why is the key revoked?"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class IntakeReferencesForm(BoundedForm):
    """What a call names besides the contract form's fields: the consultant and the student's campus."""

    consultant = forms.CharField(label=_("consultant"), max_length=150)
    campus = forms.SlugField(label=_("campus"), max_length=20)
