from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from config import import_files
from config.bounds import LESSON_MAX_DURATION, MAX_DATE, in_bounds, key_from
from config.drafts import DraftUploadsMixin
from config.forms import BoundedForm, BoundedModelForm
from config.once import RequestKeyField
from config.uploads import check_upload

from .models import Contract, Document, Guardian, Lesson, Student, phone_validator
from .services import (
    CONTRACT_CORRECTABLE,
    CONTRACT_MONEY,
    DOCUMENT_MAX_BYTES,
    DOCUMENT_TYPES,
    GUARDIAN_CORRECTABLE,
    STUDENT_CORRECTABLE,
    UNSEEN,
    amount_off,
    amount_off_message,
    normalize_phone,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

# The class hours one lesson of at most LESSON_MAX_DURATION counts.
LESSON_MAX_CLASS_HOURS = Decimal(8)


def check_lesson_times(form, data: dict, weeks: int = 1) -> None:
    """A lesson ends after it starts, lasts at most LESSON_MAX_DURATION, and a weekly series ends
    within the bounds of every date (the service checks the same; the form says it on the field)."""
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if not (starts_at and ends_at):
        return
    if ends_at <= starts_at:
        form.add_error("ends_at", _("The lesson must end after it starts."))
    elif ends_at - starts_at > LESSON_MAX_DURATION:
        form.add_error(
            "ends_at",
            _("A lesson lasts at most %(hours)d hours.") % {"hours": LESSON_MAX_DURATION.seconds // 3600},
        )
    elif not in_bounds(ends_at + timedelta(weeks=weeks - 1)):
        form.add_error(
            "weeks" if weeks > 1 else "ends_at",
            _("The last lesson of the series must be on %(max)s or before.") % {"max": MAX_DATE.isoformat()},
        )


def check_amount(form, data: dict) -> None:
    """The amount is class hours × price per hour (within services.amount_off's tolerance), or the
    person entering it ticks the box that offers itself with the error (confirm_amount)."""
    hours, unit_price, amount = (data.get(name) for name in CONTRACT_MONEY)
    if None in (hours, unit_price, amount) or data.get("confirm_amount"):
        return
    expected = amount_off(hours=hours, unit_price=unit_price, amount=amount)
    if expected is not None:
        form.add_error("amount", amount_off_message(hours=hours, unit_price=unit_price, expected=expected))
        # Offered unticked: what was posted was not a confirmation.
        form.fields["confirm_amount"].widget = forms.CheckboxInput(check_test=lambda value: False)


def confirm_amount_field():
    """Hidden until the amount is found off hours × price (check_amount shows it)."""
    return forms.BooleanField(label=_("The amount is right"), required=False, widget=forms.HiddenInput)


def correction_reason_field():
    return forms.CharField(
        label=_("Why is it corrected?"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class StudentFileForm(BoundedModelForm):
    class Meta:
        model = Student
        fields = Student.FILE_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in Student.FILE_FIELDS}


# The learning-manager filter's value for the students who have none yet (未分配).
UNASSIGNED = "none"
# A list's campus filter naming a campus outside the reader's scope.
NOT_YOUR_CAMPUS = _("Choose one of the campuses you may see.")


class CaseloadFilterForm(BoundedForm):
    """The caseload list's search box and filters; bad values are dropped, never an error page."""

    q = forms.CharField(label=_("Name or phone"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Student.Status.choices]
    )
    manager = forms.TypedChoiceField(
        label=_("Learning manager"),
        required=False,
        coerce=lambda v: v if v == UNASSIGNED else int(v),
        empty_value=None,
    )
    hours_below = forms.DecimalField(
        label=_("Hours left below"), required=False, min_value=0, max_digits=6, decimal_places=1
    )
    # A select for the company-wide roles only (the president's escalations by campus link here);
    # anyone else naming a campus is told it is not theirs to choose, never shown another's.
    campus = forms.TypedChoiceField(
        label=_("Campus"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": NOT_YOUR_CAMPUS},
    )

    def __init__(self, data, *, managers, campuses=None):
        """`managers`: the learning managers in the reader's scope, whom `manager=<id>` may name.
        For a company-wide reader (`campuses` given: those of their scope) only the chosen campus's
        are offered (a company has thousands); with no campus chosen, only 全部 and 未分配."""
        super().__init__(data)
        self.managers = managers
        self.offers_campus = campuses is not None
        offered = managers
        if campuses is None:
            self.fields["campus"].choices = [("", "")]
        else:
            campuses = list(campuses)
            self.fields["campus"].choices = [("", _("Any campus"))] + [(c.pk, c.name) for c in campuses]
            campus = self._chosen_campus({c.pk for c in campuses})
            offered = managers.filter(campus_id=campus) if campus else managers.none()
            if not campus:
                self.fields["manager"].help_text = _(
                    "Choose a campus first to pick one of its learning managers."
                )
        offered = list(offered)
        chosen = self._chosen_manager()
        if chosen and chosen not in {m.pk for m in offered}:
            # `manager=<id>` of another campus, or with no campus chosen: valid if in the scope, and
            # offered too, so that the select shows the filter that is on.
            offered += list(managers.filter(pk=chosen))
        self.fields["manager"].choices = [("", _("Any learning manager")), (UNASSIGNED, _("Unassigned"))] + [
            (m.pk, m.display_name) for m in offered
        ]

    def _raw(self, name: str) -> str:
        return str(self.data.get(name, "")) if self.is_bound else ""

    def _chosen_campus(self, campus_ids: set[int]) -> int | None:
        campus = key_from(self._raw("campus"))
        return campus if campus in campus_ids else None

    def _chosen_manager(self) -> int | None:
        return key_from(self._raw("manager"))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        manager = data["manager"]
        return {
            "query": data["q"].strip(),
            "status": data["status"],
            "manager_id": None if manager == UNASSIGNED else manager,
            "unassigned": manager == UNASSIGNED,
            "hours_left_below": data["hours_below"],
            "campus_id": data.get("campus"),
        }


class ContractIntakeForm(BoundedForm):
    """A signed contract with its new student and the main guardian, as the consultant enters it."""

    # Declared first, so clean_number sees it; none in a row of a CSV import.
    request_key = RequestKeyField(required=False)
    full_name = forms.CharField(label=_("Student's name"), max_length=60)
    gender = forms.ChoiceField(
        label=_("gender"), choices=[("", "—"), *Student.Gender.choices], required=False
    )
    school = forms.CharField(label=_("school"), max_length=100, required=False)
    grade = forms.CharField(label=_("grade"), max_length=20, required=False)
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=60)
    guardian_relation = forms.ChoiceField(label=_("relation"), choices=Guardian.Relation.choices)
    guardian_phone = forms.CharField(label=_("phone"), max_length=20, validators=[phone_validator])
    guardian_wechat = forms.CharField(label=_("WeChat"), max_length=60, required=False)
    best_time_to_call = forms.CharField(label=_("best time to call"), max_length=60, required=False)
    number = forms.CharField(label=_("contract number"), max_length=40)
    signed_at = forms.DateTimeField(
        label=_("signed at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    subjects = forms.CharField(label=_("subjects"), max_length=100)
    hours = forms.DecimalField(
        label=_("class hours"),
        max_digits=7,
        decimal_places=1,
        error_messages={"min_value": _("Class hours must be more than 0.")},
    )
    unit_price = forms.DecimalField(
        label=_("price per hour"),
        max_digits=9,
        decimal_places=2,
        error_messages={"min_value": _("The price cannot be negative.")},
    )
    amount = forms.DecimalField(
        label=_("amount"),
        max_digits=11,
        decimal_places=2,
        error_messages={"min_value": _("The amount cannot be negative.")},
    )
    confirm_amount = confirm_amount_field()

    def clean_guardian_phone(self):
        return normalize_phone(self.cleaned_data["guardian_phone"])

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        taken = Contract.objects.filter(number=number)
        if key := self.cleaned_data.get("request_key"):
            taken = taken.exclude(request_key=key)  # this very form, sent again: the service answers
        if taken.exists():
            raise forms.ValidationError(_("A contract with this number has already been entered."))
        return number

    def clean_signed_at(self):
        signed_at = self.cleaned_data["signed_at"]
        if signed_at > timezone.now():
            raise forms.ValidationError(_("The signing time cannot be in the future."))
        return signed_at

    def clean_hours(self):
        if self.cleaned_data["hours"] <= 0:
            raise forms.ValidationError(_("Class hours must be more than 0."))
        return self.cleaned_data["hours"]

    def clean_unit_price(self):
        if self.cleaned_data["unit_price"] < 0:
            raise forms.ValidationError(_("The price cannot be negative."))
        return self.cleaned_data["unit_price"]

    def clean_amount(self):
        if self.cleaned_data["amount"] < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return self.cleaned_data["amount"]

    def clean(self):
        data = super().clean()
        if self.amount_checked(data):
            check_amount(self, data)
        return data

    def amount_checked(self, data: dict) -> bool:
        """Whether the amount is checked against hours × price: always, for a contract entered."""
        return True

    STUDENT_FIELDS = ("full_name", "gender", "school", "grade")
    GUARDIAN_FIELDS = (
        "guardian_name",
        "guardian_relation",
        "guardian_phone",
        "guardian_wechat",
        "best_time_to_call",
    )

    CONTRACT_FIELDS = ("number", "signed_at", "subjects", "hours", "unit_price", "amount")

    def parts(self) -> dict:
        data = self.cleaned_data
        return {
            "new_student": {k: data[k] for k in self.STUDENT_FIELDS},
            "guardian": {
                "name": data["guardian_name"],
                "relation": data["guardian_relation"],
                "phone": data["guardian_phone"],
                "wechat": data["guardian_wechat"],
                "best_time_to_call": data["best_time_to_call"],
            },
            "contract": {k: data[k] for k in self.CONTRACT_FIELDS},
            "request_key": data.get("request_key"),
            "amount_confirmed": data["confirm_amount"],
        }


class ManagerChoiceField(forms.ModelChoiceField):
    """Each manager with their caseload and late deadlines, when the queryset carries them
    (selectors.with_load)."""

    def label_from_instance(self, obj):
        if not hasattr(obj, "caseload_count"):
            return obj.display_name
        return _("%(name)s — %(students)d students, %(late)d late") % {
            "name": obj.display_name,
            "students": obj.caseload_count,
            "late": obj.late_count,
        }


class AssignForm(BoundedForm):
    manager = ManagerChoiceField(queryset=None, label=_("Learning manager"), empty_label=None)
    reason = forms.CharField(
        label=_("Why (needed when the student moves to another manager)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    # The manager the page showed (0: none yet): two assigners at once, the second is told, not obeyed.
    seen_manager = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, managers, student):
        seen = student.manager_id or 0
        super().__init__(data, initial={"manager": student.manager_id, "seen_manager": seen})
        self.fields["manager"].queryset = managers
        self.student = student

    def seen_manager_id(self):
        """The manager the assigner saw (None: none), or UNSEEN when the form did not say."""
        seen = self.cleaned_data.get("seen_manager")
        return UNSEEN if seen is None else (seen or None)

    def clean(self):
        data = super().clean()
        seen = self.seen_manager_id()
        before = self.student.manager_id if seen is UNSEEN else seen
        moving = before and data.get("manager") and data["manager"].pk != before
        if moving and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the student moves to another learning manager."))
        return data


class LessonForm(BoundedForm):
    request_key = RequestKeyField(required=False)  # none (a hand-made post): nothing to recognise
    starts_at = forms.DateTimeField(label=_("starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=DATETIME)
    subject = forms.CharField(label=_("subject"), max_length=40)
    hours = forms.DecimalField(
        label=_("class hours"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=LESSON_MAX_CLASS_HOURS,
    )
    teacher = forms.ModelChoiceField(queryset=None, label=_("teacher"), required=False)
    classroom = forms.CharField(label=_("classroom"), max_length=40, required=False)
    weeks = forms.IntegerField(label=_("Every week, how many times"), min_value=1, max_value=20, initial=1)

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = User.objects.filter(
            role=Role.TEACHER, campus_id=student.campus_id, is_active=True
        ).order_by("full_name")

    def clean(self):
        data = super().clean()
        check_lesson_times(self, data, weeks=data.get("weeks") or 1)
        return data


class DocumentForm(DraftUploadsMixin, BoundedForm):
    """A document for the student's file; built with the `uploader`, it keeps the file when another
    field sends the form back (config/drafts.py)."""

    request_key = RequestKeyField(required=False)  # none (a hand-made post): nothing to recognise
    kind = forms.ChoiceField(label=_("kind"), choices=Document.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=100, required=False)
    file = forms.FileField(label=_("file"))
    given_to_parent_on = forms.DateField(
        label=_("given to the parent on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, may_give: bool = True, **kwargs):
        """`may_give`: whether the uploader records that the parent has it (the manager's act)."""
        super().__init__(*args, **kwargs)
        if not may_give:
            del self.fields["given_to_parent_on"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        check_upload(upload, allowed=DOCUMENT_TYPES)
        return upload


class ContractImportForm(BoundedForm):
    """The file is the form's only input: the form fails only when the file itself is wrong, which is
    not kept (config/drafts.py keeps valid files), and its rows are checked after the upload, on the
    import's page. So no draft here."""

    file = forms.FileField(
        label=_("Excel or CSV file"),
        help_text=_("Excel (.xlsx) or CSV (UTF-8, GBK or UTF-16), at most 5 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > import_files.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        self.text = import_files.upload_text(upload.read())  # its ValidationError says why not
        return upload


class ContractImportConfirmForm(BoundedForm):
    """The preview's button: it names the job it was shown for, so a page of another job confirms nothing."""

    job = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        self.fields["job"].initial = job.pk

    def clean_job(self):
        if self.cleaned_data["job"] != self.job.pk:
            raise forms.ValidationError(_("This button belongs to another import. Reload the page."))
        return self.cleaned_data["job"]


class RenewalForm(ContractIntakeForm):
    """A further contract of a student already in the file: the contract's values only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in [*self.STUDENT_FIELDS, *self.GUARDIAN_FIELDS]:
            del self.fields[name]

    def parts(self) -> dict:
        return {
            "contract": {k: self.cleaned_data[k] for k in self.CONTRACT_FIELDS},
            "request_key": self.cleaned_data.get("request_key"),
            "amount_confirmed": self.cleaned_data["confirm_amount"],
        }


class GuardianForm(BoundedModelForm):
    request_key = RequestKeyField(required=False)  # none (a hand-made post): nothing to recognise

    class Meta:
        model = Guardian
        fields = ["name", "relation", "phone", "phone_other", "wechat", "best_time_to_call", "is_primary"]
        labels = {"name": _("full name")}  # a person's 姓名, not a thing's 名称

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_phone_other(self):
        return normalize_phone(self.cleaned_data["phone_other"])


class StudentCorrectionForm(BoundedForm):
    """The student's mistyped name, gender, school or grade put right, with the reason; shown with the
    details as they are."""

    full_name = forms.CharField(label=_("Student's name"), max_length=60)
    gender = forms.ChoiceField(
        label=_("gender"), choices=[("", "—"), *Student.Gender.choices], required=False
    )
    school = forms.CharField(label=_("school"), max_length=100, required=False)
    grade = forms.CharField(label=_("grade"), max_length=20, required=False)
    reason = correction_reason_field()

    def __init__(self, data=None, *, student: Student):
        super().__init__(data, initial={name: getattr(student, name) for name in STUDENT_CORRECTABLE})

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in STUDENT_CORRECTABLE}


class GuardianCorrectionForm(BoundedForm):
    """A guardian's mistyped details put right (母亲 entered for 父亲), with the reason."""

    name = forms.CharField(label=_("full name"), max_length=60)
    relation = forms.ChoiceField(label=_("relation"), choices=Guardian.Relation.choices)
    phone = forms.CharField(label=_("phone"), max_length=20, validators=[phone_validator])
    phone_other = forms.CharField(
        label=_("other phone"), max_length=20, required=False, validators=[phone_validator]
    )
    wechat = forms.CharField(label=_("WeChat"), max_length=60, required=False)
    best_time_to_call = forms.CharField(label=_("best time to call"), max_length=60, required=False)
    is_primary = forms.BooleanField(label=_("main contact"), required=False)
    reason = correction_reason_field()

    def __init__(self, data=None, *, guardian: Guardian):
        super().__init__(data, initial={name: getattr(guardian, name) for name in GUARDIAN_CORRECTABLE})

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_phone_other(self):
        return normalize_phone(self.cleaned_data["phone_other"])

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in GUARDIAN_CORRECTABLE}


class ContractCorrectionForm(RenewalForm):
    """A contract's mistyped number, signing time, subjects, hours, price or amount put right, with the
    reason: the renewal form's checks, on the contract as it is."""

    reason = correction_reason_field()

    def __init__(self, data=None, *, contract: Contract, money_locked: bool = False):
        """`money_locked`: the hours, price and amount are shown as they are, not to be changed (a
        refund of the student was submitted: services.money_correction_refusal)."""
        initial = {name: getattr(contract, name) for name in CONTRACT_CORRECTABLE}
        initial["signed_at"] = timezone.localtime(contract.signed_at)
        super().__init__(data, initial=initial)
        del self.fields["request_key"]  # nothing is created: a form sent again finds nothing to change
        for name in CONTRACT_MONEY if money_locked else ():
            self.fields[name].disabled = True  # what is posted for it is ignored: the contract's value
        self.contract = contract

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if Contract.objects.filter(number=number).exclude(pk=self.contract.pk).exists():
            raise forms.ValidationError(_("A contract with this number has already been entered."))
        return number

    def clean_signed_at(self):
        signed_at = super().clean_signed_at()
        # The form shows minutes: the same minute sent back is the time as it was, seconds and all.
        if signed_at == self.contract.signed_at.replace(second=0, microsecond=0):
            return self.contract.signed_at
        return signed_at

    def amount_checked(self, data: dict) -> bool:
        """Only when the hours, the price or the amount change: an amount left as it was stays."""
        return any(data.get(name) != getattr(self.contract, name) for name in CONTRACT_MONEY)

    def parts(self) -> dict:
        data = self.cleaned_data
        return {
            "changes": {name: data[name] for name in CONTRACT_CORRECTABLE},
            "reason": data["reason"],
            "amount_confirmed": data["confirm_amount"],
        }


class LessonChangeForm(BoundedForm):
    """A booked lesson moved, or its teacher or classroom changed, with the reason."""

    starts_at = forms.DateTimeField(label=_("starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=DATETIME)
    teacher = forms.ModelChoiceField(queryset=None, label=_("teacher"), required=False)
    classroom = forms.CharField(label=_("classroom"), max_length=40, required=False)
    reason = forms.CharField(label=_("reason"), max_length=500)

    def __init__(self, *args, lesson, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "starts_at": timezone.localtime(lesson.starts_at),
                "ends_at": timezone.localtime(lesson.ends_at),
                "teacher": lesson.teacher_id,
                "classroom": lesson.classroom,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = User.objects.filter(
            role=Role.TEACHER, campus_id=lesson.student.campus_id, is_active=True
        ).order_by("full_name")

    def clean(self):
        data = super().clean()
        check_lesson_times(self, data)
        return data


class LessonMarkForm(BoundedForm):
    """A begun lesson marked done, or the student absent (the buttons on the student page)."""

    status = forms.ChoiceField(
        label=_("status"), choices=[(Lesson.Status.DONE, _("Done")), (Lesson.Status.ABSENT, _("Absent"))]
    )


class TimetableForm(BoundedForm):
    """What the campus timetable reads from its query string: the week (any day of it), the day, and
    the page of a day that holds more lessons than one page shows. Dates from 2000 to 2100."""

    week = forms.DateField(label=_("Week of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(label=_("Page"), min_value=1, required=False)


PERIOD_DATE = {"type": "date", "class": "form-control form-control-sm"}


class RecordPeriodForm(BoundedForm):
    """The period of the student's printed record: from, to (both days included). Unbound or wrong,
    the record shows `default` (the first contract's start until today) and the form says why."""

    def __init__(self, data, *, default: tuple):
        super().__init__(data or None)
        self.default = default
        # "from" is a keyword of Python: the two dates are named here, as the address names them.
        for name, label, day in (("from", _("From"), default[0]), ("to", _("To"), default[1])):
            self.fields[name] = forms.DateField(
                label=label, initial=day, widget=forms.DateInput(attrs=PERIOD_DATE, format="%Y-%m-%d")
            )
        self.apply_bounds()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from") and cleaned.get("to") and cleaned["from"] > cleaned["to"]:
            self.add_error("to", _("The end comes after the start."))
        return cleaned

    def period(self) -> tuple:
        """(first day, last day): the chosen ones, else the default."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["from"], self.cleaned_data["to"]
        return self.default
