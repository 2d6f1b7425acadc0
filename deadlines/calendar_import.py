"""The official schedule of a new year, or a campus's own days, from a CSV file: all rows or none."""

import csv
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import CalendarDay

COLUMNS = ["date", "working", "name"]
TRUE = {"1", "true", "yes", "y", "是", "上班", "工作日", "working"}
FALSE = {"0", "false", "no", "n", "否", "休息", "放假", "holiday", "off"}


def parse_calendar_csv(text: str) -> list[tuple[date, bool, str]]:
    """Reads `date,working,name` rows; raises ValidationError naming every bad row."""
    try:
        lines = list(csv.reader(text.lstrip("\ufeff").splitlines()))
    except csv.Error as error:
        raise ValidationError(
            _("The file is not a readable CSV file: %(error)s") % {"error": error}
        ) from None
    reader = iter(lines)
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header[:3] != COLUMNS:
        raise ValidationError(_("The first line must be the header: date,working,name"))
    rows, errors, seen = [], [], set()
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            rows.append(_parse_row(cells, seen))
        except ValueError as error:
            errors.append(_("Line %(line)d: %(reason)s") % {"line": number, "reason": error})
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("The file has no days in it."))
    return rows


def _parse_row(cells: list[str], seen: set) -> tuple[date, bool, str]:
    if len(cells) < 2:
        raise ValueError(_("expected date,working,name"))
    raw_date, raw_working = cells[0].strip(), cells[1].strip().lower()
    name = cells[2].strip() if len(cells) > 2 else ""
    try:
        day = date.fromisoformat(raw_date)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date like 2027-02-06") % {"value": raw_date}) from None
    if raw_working in TRUE:
        working = True
    elif raw_working in FALSE:
        working = False
    else:
        raise ValueError(
            _("“%(value)s” is neither 1 (working day) nor 0 (day off)") % {"value": cells[1].strip()}
        )
    if day in seen:
        raise ValueError(_("%(day)s appears twice") % {"day": day})
    if len(name) > 60:
        raise ValueError(_("the name is longer than 60 characters"))
    seen.add(day)
    return day, working, name


@transaction.atomic
def calendar_days_import(*, text: str, campus=None) -> int:
    """Enters or corrects the given days (for the company, or for one campus); returns how many."""
    rows = parse_calendar_csv(text)
    for day, working, name in rows:
        CalendarDay.objects.update_or_create(
            date=day, campus=campus, defaults={"is_working_day": working, "name": name}
        )
    return len(rows)
