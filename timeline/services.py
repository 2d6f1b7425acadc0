from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Access, Event


def student_id_of(subject: models.Model) -> int | None:
    """The student a record is about: the record itself, or its `student_id`."""
    if subject._meta.label_lower == "students.student":
        return subject.pk
    return getattr(subject, "student_id", None)


def timeline_event(
    *,
    subject: models.Model | tuple[int, int],
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
    """An unsaved event, for `timeline_add_many`. `subject` is the record, or its (content type id, id)
    when only the reference is at hand (then pass `student_id` too)."""
    if isinstance(subject, tuple):
        subject_type_id, subject_id = subject
    else:
        subject_type_id, subject_id = ContentType.objects.get_for_model(subject).pk, subject.pk
        student_id = student_id if student_id is not None else student_id_of(subject)
    event = Event(
        subject_type_id=subject_type_id,
        subject_id=subject_id,
        kind=kind,
        campus_id=campus_id,
        actor=actor,
        student_id=student_id,
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


def access_record(
    *, actor, action: str, student=None, campus_id: int | None = None, detail: str = ""
) -> None:
    """One line of the access log (timeline.models.Access); the campus is the student's unless given."""
    Access.objects.create(
        actor=actor,
        action=action,
        student=student,
        campus_id=campus_id if campus_id is not None else getattr(student, "campus_id", None),
        detail=detail[:200],
    )


def access_log_purge(*, older_than: datetime, batch: int = 10_000) -> int:
    """Deletes the access log's entries older than `older_than`, in batches; returns how many."""
    purged = 0
    while True:
        ids = list(
            Access.objects.filter(at__lt=older_than).order_by("at").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return purged
        purged += Access.objects.filter(pk__in=ids).delete()[0]
