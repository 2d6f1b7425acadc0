from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Event


def student_id_of(subject: models.Model) -> int | None:
    """The student a record is about: the record itself, or its `student_id`."""
    if subject._meta.label_lower == "students.student":
        return subject.pk
    return getattr(subject, "student_id", None)


def timeline_event(
    *,
    subject: models.Model,
    kind: str,
    campus_id: int,
    actor=None,
    student_id: int | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> Event:
    """An unsaved event, for `timeline_add_many`."""
    event = Event(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        kind=kind,
        campus_id=campus_id,
        actor=actor,
        student_id=student_id if student_id is not None else student_id_of(subject),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )
    if at is not None:
        event.at = at
    return event


def timeline_add(**kwargs) -> Event:
    """Writes one event; call it inside the transaction of the change it records."""
    event = timeline_event(**kwargs)
    event.save()
    return event


def timeline_add_many(events: list[Event]) -> None:
    Event.objects.bulk_create(events, batch_size=1000)
