"""Every form's inputs bounded in one place.

Each form of the project is a BoundedForm or BoundedModelForm (or mixes BoundedMixin into a form of
Django's): when the form is built, and again before it is cleaned (for fields a form adds on the fly),
every field gets the bounds of config/bounds.py —

- dates and date-times from 2000-01-01 to 2100-12-31 (a form's own clean may narrow them);
- texts a length (2,000 characters in a text area, 200 on a line, unless the field says less), no
  control characters (NUL included; a text area keeps tab and line breaks), and no line breaks at all
  in a one-line text such as a name: an e-mail subject with a student's name must not break;
- whole and decimal numbers not negative unless the field allows it, and not beyond the database's
  integer (decimals are bounded by their max_digits already);
- an uploaded file's name a length and no control characters.

`add_service_error` turns a service's ValidationError into the form's messages, on the field it names
when the form has that field, on top of the form otherwise.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .bounds import (
    CONTROL_CHARACTERS,
    INTEGER_MAX,
    LINE_BREAKS,
    LINE_MAX_LENGTH,
    MAX_DATE,
    MIN_DATE,
    TEXT_MAX_LENGTH,
    DateRangeValidator,
    PlainTextValidator,
)

FILE_NAME_MAX_LENGTH = 150


def _text_length(limit: int):
    def validate(value):
        if isinstance(value, str) and len(value) > limit:
            raise ValidationError(
                _("Keep this to %(limit)d characters (it has %(length)d)."),
                code="max_length",
                params={"limit": limit, "length": len(value)},
            )

    return validate


def _plain_file_name(upload):
    name = getattr(upload, "name", "") or ""
    if CONTROL_CHARACTERS.search(name) or LINE_BREAKS.search(name):
        raise ValidationError(_("Rename the file: its name holds control characters."), code="file_name")


def bound_field(field: forms.Field) -> None:
    """Gives one form field the project's bounds (once)."""
    if getattr(field, "bounded", False):
        return
    field.bounded = True
    attrs = field.widget.attrs
    if isinstance(field, forms.DateTimeField):
        field.validators.append(DateRangeValidator())
        if getattr(field.widget, "input_type", "") == "datetime-local":
            attrs.setdefault("min", f"{MIN_DATE.isoformat()}T00:00")
            attrs.setdefault("max", f"{MAX_DATE.isoformat()}T23:59")
    elif isinstance(field, forms.DateField):
        field.validators.append(DateRangeValidator())
        if getattr(field.widget, "input_type", "") == "date":
            attrs.setdefault("min", MIN_DATE.isoformat())
            attrs.setdefault("max", MAX_DATE.isoformat())
    elif isinstance(field, forms.CharField) and not isinstance(field, forms.UUIDField | forms.JSONField):
        one_line = not isinstance(field.widget, forms.Textarea)
        if field.max_length is None:
            field.max_length = LINE_MAX_LENGTH if one_line else TEXT_MAX_LENGTH
            if not field.widget.is_hidden:
                attrs.setdefault("maxlength", str(field.max_length))
        if not any(isinstance(v, MaxLengthValidator) for v in field.validators):
            # Also where a form sets max_length after the field was made (Django's login form does).
            field.validators.append(_text_length(field.max_length))
        field.validators.append(PlainTextValidator(one_line=one_line))
    elif isinstance(field, forms.IntegerField):  # DecimalField and FloatField too
        if field.min_value is None:
            field.min_value = 0
            field.validators.append(MinValueValidator(0))
            if not field.widget.is_hidden:
                attrs.setdefault("min", "0")
        if field.max_value is None and getattr(field, "max_digits", None) is None:
            field.max_value = Decimal(INTEGER_MAX) if isinstance(field, forms.DecimalField) else INTEGER_MAX
            field.validators.append(MaxValueValidator(field.max_value))
    elif isinstance(field, forms.FileField):
        if field.max_length is None:
            field.max_length = FILE_NAME_MAX_LENGTH
        field.validators.append(_plain_file_name)


class BoundedMixin:
    """Mixed into every form: the bounds of config/bounds.py on all its fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.apply_bounds()

    def apply_bounds(self) -> None:
        for field in self.fields.values():
            bound_field(field)

    def full_clean(self):
        self.apply_bounds()  # the fields a form adds after it is built (one line per paper item)
        super().full_clean()

    def add_service_error(self, error: ValidationError) -> None:
        """A service's refusal as the form's messages: on the field it names when the form shows that
        field, on top of the form otherwise (never the 500 of add_error with an unknown field)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class BoundedForm(BoundedMixin, forms.Form):
    pass


class BoundedModelForm(BoundedMixin, forms.ModelForm):
    pass
