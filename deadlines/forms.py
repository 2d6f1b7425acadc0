from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedForm

from .models import Topic


class WaiveForm(BoundedForm):
    reason = forms.CharField(
        label=_("Why is this deadline waived?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why this deadline is waived.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why this deadline is waived."))
        return reason


class DeadlineListForm(BoundedForm):
    """The filters of a deadline list: whose (the user's own unless they may see another's) and which
    bucket of My day; bad values are dropped, never an error page."""

    owner = forms.ModelChoiceField(label=_("Whose deadlines"), queryset=None, required=False)
    bucket = forms.ChoiceField(label=_("Which deadlines"), required=False)

    def __init__(self, data, *, owners, buckets):
        super().__init__(data)
        self.fields["owner"].queryset = owners
        self.fields["bucket"].choices = [("", _("All open deadlines")), *buckets.items()]


class NoticeChoicesForm(BoundedForm):
    """A person's outside channels per topic: `<topic>_email`, `<topic>_wecom` and, for the notices,
    `<topic>_off_hours`. A channel that cannot reach the person cannot be chosen."""

    def __init__(self, data=None, *, user, initial_choices):
        from .preferences import TIMED_TOPICS, reachable

        super().__init__(data)
        self.reach = reachable(user)
        for topic in Topic:
            choice = initial_choices[topic]
            self.fields[f"{topic}_email"] = forms.BooleanField(
                label=_("Email"), required=False, initial=choice.email, disabled=not self.reach["email"]
            )
            self.fields[f"{topic}_wecom"] = forms.BooleanField(
                label=_("WeCom"), required=False, initial=choice.wecom, disabled=not self.reach["wecom"]
            )
            if topic in TIMED_TOPICS:
                self.fields[f"{topic}_off_hours"] = forms.BooleanField(
                    label=_("Also outside working hours"), required=False, initial=choice.off_hours
                )

    def rows(self):
        """(topic, its label, its help, [(column, its field or None)]) in the order of the table."""
        from .preferences import TOPIC_HELP

        return [
            (
                topic,
                label,
                TOPIC_HELP[topic],
                [(column, self._field(topic, part)) for part, column in COLUMNS],
            )
            for topic, label in Topic.choices
        ]

    def _field(self, topic: str, part: str):
        name = f"{topic}_{part}"
        return self[name] if name in self.fields else None

    def choices(self) -> dict[str, dict[str, bool]]:
        return {
            topic: {part: self.cleaned_data.get(f"{topic}_{part}", False) for part in PARTS}
            for topic in Topic
        }


COLUMNS = (("email", _("Email")), ("wecom", _("WeCom")), ("off_hours", _("Also outside working hours")))
PARTS = tuple(part for part, _column in COLUMNS)
