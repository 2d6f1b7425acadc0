"""The bounds of every input, declared once: forms apply them (config/forms.py), services that take
times check the few that protect the database and the timetable."""

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Every date and date-time a person enters lies in these years, unless a narrower bound applies.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)

# A lesson lasts at most 4 hours (a double lesson with a break); a weekly series spans at most a year.
LESSON_MAX_DURATION = timedelta(hours=4)
SERIES_MAX_SPAN = timedelta(days=366)

# A text without a length of its own: a paragraph in a text area, a short line elsewhere.
TEXT_MAX_LENGTH = 2000
LINE_MAX_LENGTH = 200

# The largest whole number a form takes without its own bound (PostgreSQL's integer).
INTEGER_MAX = 2_147_483_647

# C0 and C1 control characters; a text area keeps tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What breaks a line, Unicode's line and paragraph separators included; with the tab, none of
# these belongs in a name, a subject or an e-mail subject.
LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def key_from(value: str) -> int | None:
    """A record's key named in an address (?before=, ?exam=, ?manager=): its digits as a number when
    they fit a key (PostgreSQL's bigint), else None; what a page does with None is its own."""
    value = str(value)
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def in_bounds(value: date | datetime) -> bool:
    """Whether a date (or a date-time's own wall-clock date) lies between MIN_DATE and MAX_DATE."""
    day = value.date() if isinstance(value, datetime) else value
    return MIN_DATE <= day <= MAX_DATE


@deconstructible
class DateRangeValidator:
    message = _("Choose a date between 2000 and 2100.")  # MIN_DATE's and MAX_DATE's years
    code = "date_range"

    def __call__(self, value):
        if value is not None and not in_bounds(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator)


@deconstructible
class PlainTextValidator:
    """Refuses control characters (NUL included); `one_line` refuses line breaks and tabs too."""

    def __init__(self, one_line: bool = False):
        self.one_line = one_line

    def __call__(self, value):
        if not isinstance(value, str):
            return
        if CONTROL_CHARACTERS.search(value):
            raise ValidationError(
                _("Remove the control characters from this text."), code="control_characters"
            )
        if self.one_line and LINE_BREAKS.search(value):
            raise ValidationError(_("Write this on one line, without line breaks."), code="line_break")

    def __eq__(self, other):
        return isinstance(other, PlainTextValidator) and other.one_line == self.one_line
