"""A call's JSON body read into the data of the intake form (students.forms.ContractIntakeForm), and
the form's errors named by the body's fields: one way of checking a contract, the form's."""

import json
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

SECTIONS = ("student", "guardian", "contract")
# The body's field -> the intake form's.
FORM_FIELDS = {
    "student.full_name": "full_name",
    "student.gender": "gender",
    "student.school": "school",
    "student.grade": "grade",
    "guardian.name": "guardian_name",
    "guardian.relation": "guardian_relation",
    "guardian.phone": "guardian_phone",
    "guardian.wechat": "guardian_wechat",
    "guardian.best_time_to_call": "best_time_to_call",
    "contract.number": "number",
    "contract.signed_at": "signed_at",
    "contract.subjects": "subjects",
    "contract.hours": "hours",
    "contract.unit_price": "unit_price",
    "contract.amount": "amount",
    "contract.confirm_amount": "confirm_amount",
}
# The references form's field -> the body's.
REFERENCE_FIELDS = {"consultant": "consultant", "campus": "student.campus"}
BODY_FIELDS = {form: body for body, form in FORM_FIELDS.items()} | REFERENCE_FIELDS

NOT_AN_OBJECT = _("Give this as a JSON object.")
NOT_A_VALUE = _("Give a text or a number here.")
NOT_A_BOOLEAN = _("Give true or false here.")


class BodyError(ValueError):
    """The body is no JSON object at all."""


def parse(body: bytes) -> dict:
    """The body's object; decimals stay decimals (an amount is never a float)."""
    try:
        value = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise BodyError(str(error)) from None
    if not isinstance(value, dict):
        raise BodyError("not an object")
    return value


def canonical(body: dict) -> str:
    """The body in one spelling, whatever its spaces and key order: what a retry must repeat."""
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _value(path: str, value) -> tuple[str | None, object]:
    """(the form's string, None) or (None, the error) for one field of the body."""
    if path == "contract.confirm_amount":
        return ("true" if value else "", None) if isinstance(value, bool) else (None, NOT_A_BOOLEAN)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None, NOT_A_VALUE
    return str(value), None


def _section(body: dict, name: str, errors: dict) -> dict:
    section = body.get(name)
    if section is None:
        return {}
    if not isinstance(section, dict):
        errors[name] = [NOT_AN_OBJECT]
        return {}
    return section


def form_data(body: dict) -> tuple[dict, dict, dict]:
    """(the intake form's data, the references form's data, the errors of values no form could read)."""
    errors: dict[str, list] = {}
    sections = {name: _section(body, name, errors) for name in SECTIONS}
    intake, references = {}, {}
    for path, form_name in FORM_FIELDS.items():
        section, name = path.split(".")
        if sections[section].get(name) is None:
            continue  # the form says whether it is required
        text, error = _value(path, sections[section][name])
        if error:
            errors[path] = [error]
        elif text:
            intake[form_name] = text
    for form_name, path in REFERENCE_FIELDS.items():
        section, _dot, name = path.rpartition(".")
        value = (sections[section] if section else body).get(name)
        if value is not None:
            text, error = _value(path, value)
            if error:
                errors[path] = [error]
            else:
                references[form_name] = text
    return intake, references, errors


def body_errors(form) -> dict[str, list[str]]:
    """A form's errors named by the body's fields, in the active language."""
    return {
        BODY_FIELDS.get(name, name): [error["message"] for error in errors]
        for name, errors in form.errors.get_json_data().items()
    }
