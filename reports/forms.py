"""The reports' forms: the period and narrowing of a report page, and the filters of the lists behind
its figures. Every value of the address is read through them; a campus, a team or a person is
accepted only from the reader's own scope."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import scope
from accounts.models import User
from config.forms import BoundedForm
from deadlines.rules import RULES
from followups.models import FamilyReason
from students.models import LossReason

from .periods import DEFAULT_PRESET, LONGEST, PRESETS, Period
from .selectors import (
    ANSWERS,
    CASE_FIGURES,
    REFUND_FIGURES,
    STATES,
    Reader,
    campuses_to_choose,
    teams_to_choose,
)

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")
SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


class ReportForm(BoundedForm):
    """A report's period — from/to, or a preset (this week, this month, last month, this quarter),
    this month when none is given — and, for a company-wide reader, a campus; for a supervisor who
    leads several teams, a team. A wrong value is said on the page, and this month's figures of the
    whole scope are shown."""

    preset = forms.ChoiceField(label=_("Period"), required=False, widget=forms.HiddenInput)
    campus = forms.TypedChoiceField(
        label=_("Campus"), required=False, coerce=int, empty_value=None, widget=SELECT
    )
    team = forms.TypedChoiceField(
        label=_("Team"), required=False, coerce=int, empty_value=None, widget=SELECT
    )

    def __init__(self, data, *, user: User, today: date):
        self.user, self.today = user, today
        data = self._preset_dates(data, today)
        super().__init__(data)
        default = PRESETS[DEFAULT_PRESET].of(today)
        # "from" is a keyword of Python: the two dates are named here, as the addresses name them.
        self.fields["from"] = forms.DateField(
            label=_("From"), widget=DATE, required=False, initial=default.first
        )
        self.fields["to"] = forms.DateField(label=_("To"), widget=DATE, required=False, initial=default.last)
        self.order_fields(["from", "to", "campus", "team", "preset"])
        self.fields["preset"].choices = [("", ""), *((key, p.label) for key, p in PRESETS.items())]
        self.campuses = {c.pk: c for c in campuses_to_choose(user)}
        self.teams = {t.pk: t for t in teams_to_choose(user)}
        if self.campuses:
            self.fields["campus"].choices = [
                ("", _("Every campus")),
                *((pk, c.name) for pk, c in self.campuses.items()),
            ]
        else:
            del self.fields["campus"]
        if len(self.teams) > 1:
            self.fields["team"].choices = [
                ("", _("All your teams")),
                *((pk, t.name) for pk, t in self.teams.items()),
            ]
        else:
            del self.fields["team"]
        self.apply_bounds()

    @staticmethod
    def _preset_dates(data, today: date):
        """A preset fills in its dates, so the date fields show the period chosen."""
        if not data or data.get("preset") not in PRESETS:
            return data
        data = data.copy()
        period = PRESETS[data["preset"]].of(today)
        data["from"], data["to"] = period.first.isoformat(), period.last.isoformat()
        return data

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first and last:
            if first > last:
                self.add_error("to", _("The end comes after the start."))
            elif (last - first).days + 1 > LONGEST:
                self.add_error("to", _("Choose a period of at most a year."))
        elif first or last:
            self.add_error("to" if first else "from", _("Choose both the first and the last day."))
        return cleaned

    def _chosen(self) -> dict:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    def period(self) -> Period:
        chosen = self._chosen()
        if chosen.get("from") and chosen.get("to"):
            return Period(chosen["from"], chosen["to"])
        return PRESETS[DEFAULT_PRESET].of(self.today)

    def reader(self) -> Reader:
        chosen = self._chosen()
        campus, team = self.campuses.get(chosen.get("campus")), self.teams.get(chosen.get("team"))
        return Reader(self.user, campus=campus, team=team, campuses=self.campuses)


class ListForm(BoundedForm):
    """The filters of a list behind a figure: its period (required), the report's campus or team, and
    the row's person or campus. A value the reader's scope does not hold makes the list a 404, as a
    record out of scope."""

    manager = forms.ModelChoiceField(
        label=pgettext_lazy("report row", "Person"), queryset=User.objects.none(), required=False
    )
    campus = forms.TypedChoiceField(label=_("Campus"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, user: User):
        super().__init__(data)
        self.user = user
        self.fields["from"] = forms.DateField(label=_("From"))
        self.fields["to"] = forms.DateField(label=_("To"))
        # Anyone whose work the reader's scope holds, whether or not they still work here.
        self.fields["manager"].queryset = User.objects.filter(scope.caseload_q(user, manager="pk"))
        self.campuses = {c.pk: c for c in campuses_to_choose(user)}
        self.teams = {t.pk: t for t in teams_to_choose(user)}
        self.fields["campus"].choices = [("", ""), *((pk, c.name) for pk, c in self.campuses.items())]
        self.fields["team"].choices = [("", ""), *((pk, t.name) for pk, t in self.teams.items())]
        self.apply_bounds()

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first and last and (first > last or (last - first).days + 1 > LONGEST):
            self.add_error("to", _("Choose a period of at most a year."))
        return cleaned

    def period(self) -> Period:
        return Period(self.cleaned_data["from"], self.cleaned_data["to"])

    def reader(self) -> Reader:
        data = self.cleaned_data
        campus, team = self.campuses.get(data.get("campus")), self.teams.get(data.get("team"))
        return Reader(self.user, campus=campus, team=team, campuses=self.campuses)

    def row(self, *, person: str) -> dict:
        """The chosen person as a filter on the records' `person` field (a campus's row is the
        report narrowed to the campus: reader())."""
        manager = self.cleaned_data.get("manager")
        return {person: manager.pk} if manager else {}

    def shown(self) -> dict:
        """The filters as the page says them: the person's name, the campus's, the team's."""
        data = self.cleaned_data
        return {
            "manager": data.get("manager"),
            "campus": self.campuses.get(data.get("campus")),
            "team": self.teams.get(data.get("team")),
        }


def _choices(values, labels=None) -> list[tuple[str, str]]:
    return [("", "")] + [(value, (labels or {}).get(value, value)) for value in values]


class DeadlineListForm(ListForm):
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=_choices(RULES))
    state = forms.ChoiceField(label=_("Which"), required=False, choices=_choices(STATES))


class RenewalListForm(ListForm):
    answer = forms.ChoiceField(label=_("Answer"), required=False, choices=_choices(ANSWERS))
    reason = forms.ChoiceField(label=_("Reason"), required=False, choices=_choices(FamilyReason.values))


class CaseListForm(ListForm):
    figure = forms.ChoiceField(label=_("Which cases"), choices=_choices(CASE_FIGURES))
    reason = forms.ChoiceField(label=_("Reason group"), required=False, choices=_choices(LossReason.values))


class RefundListForm(ListForm):
    figure = forms.ChoiceField(label=_("Which refunds"), choices=_choices(REFUND_FIGURES))
