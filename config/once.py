"""One form, one record: every create-form carries a key made when the form is shown.

A double click, a second tab or a resent form posts the same key again; the service looks the key
up (a unique constraint on the record makes it so even for two requests at the same instant) and
answers with the record the first post made instead of making a second one.

    class GuardianForm(forms.ModelForm):
        request_key = RequestKeyField()

    # services.py
    guardian, created = Guardian.objects.get_or_create(student=..., request_key=key, defaults=...)
"""

import uuid

from django import forms


class RequestKeyField(forms.UUIDField):
    """The form's hidden key: a fresh one each time the form is shown, the posted one when bound."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("initial", uuid.uuid4)  # a callable: each form shown gets its own key
        super().__init__(**kwargs)
