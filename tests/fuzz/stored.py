"""What may never be stored, checked in one query over every table of the project's apps: a date or
date-time outside 2000-2100, a text with a control character, a one-line text with a line break."""

from datetime import datetime, time, timedelta
from functools import cache

from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from config.bounds import MAX_DATE, MIN_DATE

PROJECT_APPS = {
    "accounts",
    "timeline",
    "deadlines",
    "students",
    "handover",
    "followups",
    "retention",
    "refunds",
}
CONTROL = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
LINE_BREAK = "[\x01-\x1f\x7f-\x9f\u2028\u2029]"


@cache
def _query() -> tuple[str, list]:
    zone = timezone.get_default_timezone()
    first = datetime.combine(MIN_DATE, time.min, tzinfo=zone)
    after = datetime.combine(MAX_DATE + timedelta(days=1), time.min, tzinfo=zone)
    parts, params = [], []
    quote = connection.ops.quote_name
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.proxy:
            continue
        table = quote(model._meta.db_table)
        for f in model._meta.concrete_fields:
            column, label = quote(f.column), f"{model._meta.label}.{f.name}"
            if isinstance(f, models.DateTimeField):
                condition, values = f"{column} < %s OR {column} >= %s", [first, after]
            elif isinstance(f, models.DateField):
                condition, values = f"{column} < %s OR {column} > %s", [MIN_DATE, MAX_DATE]
            elif isinstance(f, models.TextField):
                condition, values = f"{column} ~ %s", [CONTROL]
            elif isinstance(f, models.CharField | models.FileField):
                condition, values = f"{column} ~ %s", [LINE_BREAK]
            else:
                continue
            parts.append(f"SELECT %s WHERE EXISTS (SELECT 1 FROM {table} WHERE {condition})")
            params += [label, *values]
    return " UNION ALL ".join(parts), params


def out_of_bounds() -> list[str]:
    """The model fields (app.Model.field) that hold a value out of bounds now."""
    sql, params = _query()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
