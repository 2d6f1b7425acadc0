"""Writes of the clock: opening and closing deadlines, the sweep, notifications.

Every transition is compare-and-set and leaves a timeline event in the same transaction; the
sweep claims rows with SKIP LOCKED and creates each notification once (a unique constraint).
"""

from collections import defaultdict
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, DateTimeField, F, IntegerField, Value, When
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Campus, Role, User
from timeline.models import Event
from timeline.services import student_id_of, timeline_add, timeline_add_many, timeline_event

from . import calendar
from .models import ACTIVE, LATE, Deadline, Delivery, Kind, Notification, Status
from .rules import get_rule

# Who may waive a deadline: the supervisor and everyone above, never the owner's own role.
WAIVERS = (Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN)
BATCH = 1000


def _subject_filter(subject: models.Model) -> dict:
    return {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk}


def _event(deadline: Deadline, kind: str, **kwargs):
    data = {"rule": deadline.rule, "deadline": deadline.pk, "due_at": deadline.due_at.isoformat()}
    return timeline_event(
        subject=deadline.subject,
        kind=kind,
        campus_id=deadline.campus_id,
        student_id=deadline.student_id,
        data=data | kwargs.pop("data", {}),
        **kwargs,
    )


@transaction.atomic
def deadline_open(
    *,
    rule: str,
    subject: models.Model,
    owner: User,
    start: datetime | None = None,
    event: datetime | None = None,
    actor: User | None = None,
    occurrence: int = 1,
) -> Deadline:
    """Starts the clock of `rule` for `subject`; opening it again returns the same deadline."""
    rule_obj = get_rule(rule)
    if owner.campus_id is None:
        raise ValueError("a deadline's owner must belong to a campus")
    start = calendar.require_aware(start, "start") if start is not None else timezone.now()
    due_at = rule_obj.due_at(start=start, event=event, campus=owner.campus)
    deadline, created = Deadline.objects.get_or_create(
        rule=rule,
        occurrence=occurrence,
        **_subject_filter(subject),
        defaults={
            "campus_id": owner.campus_id,
            "owner": owner,
            "student_id": student_id_of(subject),
            "opened_at": start,
            "event_at": event,
            "due_at": due_at,
            "remind_at": rule_obj.remind_at(due_at, start),
            "escalate_at": due_at + rule_obj.escalate_after,
        },
    )
    if created:
        timeline_add_many([_event(deadline, "deadline.opened", actor=actor, to_state=Status.OPEN, at=start)])
    return deadline


def _active(rule: str, subject: models.Model) -> Deadline | None:
    return (
        Deadline.objects.select_for_update()
        .filter(rule=rule, status__in=ACTIVE, **_subject_filter(subject))
        .order_by("-occurrence")
        .first()
    )


@transaction.atomic
def deadline_meet(
    *, rule: str, subject: models.Model, actor: User, at: datetime | None = None
) -> Deadline | None:
    """The work was recorded: closes the active deadline (met, or met late). None if none was open.

    For a recurring rule the next occurrence opens, counted from now.
    """
    rule_obj = get_rule(rule)
    at = calendar.require_aware(at, "at") if at is not None else timezone.now()
    deadline = _active(rule, subject)
    if deadline is None:
        return None
    old = deadline.status
    deadline.status = Status.MET if at <= deadline.due_at else Status.MET_LATE
    deadline.closed_at, deadline.closed_by = at, actor
    deadline.save(update_fields=["status", "closed_at", "closed_by"])
    timeline_add_many(
        [_event(deadline, "deadline.met", actor=actor, from_state=old, to_state=deadline.status, at=at)]
    )
    if rule_obj.recurring:
        deadline_open(
            rule=rule,
            subject=subject,
            owner=deadline.owner,
            start=at,
            event=deadline.event_at,
            actor=actor,
            occurrence=deadline.occurrence + 1,
        )
    return deadline


@transaction.atomic
def deadline_waive(*, deadline: Deadline, actor: User, reason: str) -> bool:
    """A supervisor or above lifts a deadline, saying why. False if it was already closed."""
    if actor.role not in WAIVERS:
        raise PermissionDenied(_("Only a supervisor or the campus director may waive a deadline."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this deadline is waived.")})
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.status not in ACTIVE:
        return False
    old = deadline.status
    deadline.status, deadline.closed_at, deadline.closed_by, deadline.reason = (
        Status.WAIVED,
        timezone.now(),
        actor,
        reason,
    )
    deadline.save(update_fields=["status", "closed_at", "closed_by", "reason"])
    timeline_add(
        subject=deadline.subject,
        kind="deadline.waived",
        campus_id=deadline.campus_id,
        student_id=deadline.student_id,
        actor=actor,
        from_state=old,
        to_state=Status.WAIVED,
        reason=reason,
        data={"rule": deadline.rule, "deadline": deadline.pk},
    )
    return True


@transaction.atomic
def deadline_reschedule(
    *, rule: str, subject: models.Model, event: datetime, actor: User | None = None, reason: str = ""
) -> Deadline | None:
    """The event a deadline counts to has moved (the first lesson, the next lesson): due again from it.

    A late deadline whose new due time is in the future is open again. None if none was active.
    """
    rule_obj = get_rule(rule)
    calendar.require_aware(event, "event")
    deadline = _active(rule, subject)
    if deadline is None:
        return None
    old_due, old_status = deadline.due_at, deadline.status
    deadline.event_at = event
    deadline.due_at = rule_obj.due_at(start=deadline.opened_at, event=event, campus=deadline.campus)
    deadline.remind_at = rule_obj.remind_at(deadline.due_at, timezone.now())
    deadline.reminded_at = None
    deadline.escalate_at = deadline.due_at + rule_obj.escalate_after
    deadline.escalation_level = 0
    if deadline.due_at > timezone.now():
        deadline.status, deadline.overdue_at = Status.OPEN, None
    deadline.save()
    timeline_add_many(
        [
            _event(
                deadline,
                "deadline.rescheduled",
                actor=actor,
                from_state=old_status,
                to_state=deadline.status,
                reason=reason,
                data={"old_due_at": old_due.isoformat()},
            )
        ]
    )
    return deadline


# The sweep


@dataclass
class SweepResult:
    overdue: int = 0
    reminded: int = 0
    escalated: int = 0
    notified: int = 0
    claimed: int = 0  # rows a step took; the step runs again until it takes none

    def __add__(self, other: "SweepResult") -> "SweepResult":
        return SweepResult(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def __str__(self):
        return (
            f"swept: overdue={self.overdue} reminded={self.reminded} "
            f"escalated={self.escalated} notified={self.notified}"
        )


def sweep(*, now: datetime | None = None, batch: int = BATCH) -> SweepResult:
    """One pass of the clock: reminders, overdue, escalations, a batch at a time until none is due.

    Safe to run in parallel: each batch claims its rows with SKIP LOCKED, so two sweeps never act
    on the same row, and each notice is unique in the database. The rows a batch writes (timeline
    events, notices, deliveries) are made by the database with INSERT ... SELECT, not in Python.
    """
    now = calendar.require_aware(now, "now") if now is not None else timezone.now()
    openings = {campus.pk: calendar.next_opening(now, campus) for campus in Campus.objects.all()}
    total = SweepResult()
    for step in (sweep_reminders, sweep_overdue, sweep_escalations):
        while True:
            result = step(now=now, batch=batch, openings=openings)
            total += result
            if not result.claimed:
                break
    return total


def _claim(queryset, batch: int, *fields: str) -> list:
    """Locks up to `batch` rows that no other sweep holds."""
    if connection.vendor == "postgresql":
        # A batch lost in a crash is redone by the next sweep, so it need not wait for the disk.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    locked = queryset.select_for_update(skip_locked=True, of=("self",)).order_by()
    if fields:
        return list(locked.values(*fields)[:batch])
    return list(locked.values_list("pk", flat=True)[:batch])


@transaction.atomic
def sweep_reminders(*, now: datetime, batch: int = BATCH, openings: dict) -> SweepResult:
    """Open deadlines at their rule's lead time: "due soon" to the owner (not once it is too late)."""
    due_soon = Deadline.objects.filter(
        status=Status.OPEN, reminded_at=None, remind_at__lte=now, due_at__gt=now
    )
    ids = _claim(due_soon, batch)  # index deadline_open_remind
    if not ids:
        return SweepResult()
    claimed = Deadline.objects.filter(pk__in=ids)
    claimed.update(reminded_at=now)
    notified = _notify(claimed, ids, recipient=F("owner_id"), kind=Kind.REMINDER, now=now, openings=openings)
    return SweepResult(reminded=len(ids), notified=notified, claimed=len(ids))


@transaction.atomic
def sweep_overdue(*, now: datetime, batch: int = BATCH, openings: dict) -> SweepResult:
    """Open deadlines past their due time become overdue; the owner is told."""
    ids = _claim(
        Deadline.objects.filter(status=Status.OPEN, due_at__lte=now), batch
    )  # index deadline_open_due
    if not ids:
        return SweepResult()
    claimed = Deadline.objects.filter(pk__in=ids)
    _record(claimed, kind="deadline.overdue", to_state=Status.OVERDUE, now=now)
    claimed.update(status=Status.OVERDUE, overdue_at=now)
    notified = _notify(claimed, ids, recipient=F("owner_id"), kind=Kind.OVERDUE, now=now, openings=openings)
    return SweepResult(overdue=len(ids), notified=notified, claimed=len(ids))


ESCALATION_KINDS = {1: Kind.ESCALATED_SUPERVISOR, 2: Kind.ESCALATED_DIRECTOR}


@transaction.atomic
def sweep_escalations(*, now: datetime, batch: int = BATCH, openings: dict) -> SweepResult:
    """Late deadlines past their rule's grace go to the owner's supervisor; after a second grace,
    to the campus director. A level with nobody to tell is skipped."""
    late = Deadline.objects.filter(status__in=LATE, escalate_at__lte=now)  # index deadline_late_escalate
    rows = _claim(late, batch, "pk", "rule", "escalation_level", "owner_id", "campus_id")
    if not rows:
        return SweepResult()
    reachable = _reachable_levels(rows)
    moves: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for row in rows:
        level = next(
            (lv for lv in (1, 2) if lv > row["escalation_level"] and lv in reachable[row["pk"]]), None
        )
        moves[(row["rule"], level)].append(row["pk"])
    to_level = {lv: [pk for (_, level), ids in moves.items() if level == lv for pk in ids] for lv in (1, 2)}
    for level, ids in to_level.items():
        if ids:
            claimed = Deadline.objects.filter(pk__in=ids)
            _record(claimed, kind="deadline.escalated", to_state=Status.ESCALATED, now=now, level=level)
    for (rule, level), ids in moves.items():
        Deadline.objects.filter(pk__in=ids).update(**_escalation_changes(rule, level))
    recipients = {
        1: (Deadline.objects.all(), F("owner__team__supervisor_id")),
        2: (
            Deadline.objects.filter(campus__staff__role=Role.DIRECTOR, campus__staff__is_active=True),
            F("campus__staff__id"),
        ),
    }
    notified = 0
    for level, ids in to_level.items():
        if ids:
            queryset, recipient = recipients[level]
            notified += _notify(
                queryset.filter(pk__in=ids),
                ids,
                recipient=recipient,
                kind=ESCALATION_KINDS[level],
                now=now,
                openings=openings,
            )
    return SweepResult(escalated=len(to_level[1]) + len(to_level[2]), notified=notified, claimed=len(rows))


def _escalation_changes(rule: str, level: int | None) -> dict:
    if level is None:
        return {"escalate_at": None}  # nobody further up: the sweep stops looking at the row
    # The director's turn comes one more grace period later.
    later = F("due_at") + 2 * get_rule(rule).escalate_after if level == 1 else None
    return {"status": Status.ESCALATED, "escalation_level": level, "escalate_at": later}


def _reachable_levels(rows: list[dict]) -> dict[int, set[int]]:
    """For each deadline, the levels with someone to tell: 1 if its owner is a learning manager whose
    team has a supervisor, 2 if its campus has a director and the owner is not that director."""
    owners = dict(User.objects.filter(pk__in={r["owner_id"] for r in rows}).values_list("pk", "role"))
    supervised = set(
        User.objects.filter(
            pk__in=owners, role=Role.LEARNING_MANAGER, team__supervisor__isnull=False
        ).values_list("pk", flat=True)
    )
    directed = set(
        User.objects.filter(
            role=Role.DIRECTOR, is_active=True, campus_id__in={r["campus_id"] for r in rows}
        ).values_list("campus_id", flat=True)
    )
    return {
        row["pk"]: {
            level
            for level, reachable in (
                (1, row["owner_id"] in supervised),
                (2, row["campus_id"] in directed and owners[row["owner_id"]] != Role.DIRECTOR),
            )
            if reachable
        }
        for row in rows
    }


def _record(deadlines, *, kind: str, to_state: str, now: datetime, **data) -> None:
    """A timeline event for each of these deadlines, from its current status (call before changing it)."""
    _insert_select(
        Event,
        deadlines.order_by(),
        {
            "at": Value(now, DateTimeField()),
            "actor": Value(None, IntegerField()),
            "kind": Value(kind),
            "subject_type": F("subject_type_id"),
            "subject_id": F("subject_id"),
            "campus": F("campus_id"),
            "student": F("student_id"),
            "from_state": F("status"),
            "to_state": Value(to_state),
            "reason": Value(""),
            "data": JSONObject(rule=F("rule"), deadline=F("pk"), **{k: Value(v) for k, v in data.items()}),
        },
    )


def _notify(deadlines, ids: list[int], *, recipient, kind: str, now: datetime, openings: dict) -> int:
    """Each (deadline, kind, recipient) notice once, held until the campus is at work, with a pending
    email delivery. Returns how many notices are new: those a parallel sweep wrote are not counted."""
    deliver_after = Case(
        *[When(campus_id=campus, then=Value(at)) for campus, at in openings.items()],
        default=Value(now),
        output_field=DateTimeField(),
    )
    created = _insert_select(
        Notification,
        deadlines.order_by(),
        {
            "recipient": recipient,
            "deadline": F("pk"),
            "kind": Value(kind),
            "created_at": Value(now, DateTimeField()),
            "deliver_after": deliver_after,
        },
        conflict=("deadline", "kind", "recipient"),
    )
    _insert_select(
        Delivery,
        Notification.objects.filter(deadline_id__in=ids, kind=kind).order_by(),
        {
            "notification": F("pk"),
            "channel": Value("email"),
            "state": Value(Delivery.State.PENDING),
            "attempts": Value(0),
            "next_attempt_at": F("deliver_after"),
            "sent_at": Value(None, DateTimeField()),
            "last_error": Value(""),
        },
        conflict=("notification", "channel"),
    )
    return created


def _insert_select(model, queryset, columns: dict, *, conflict: tuple[str, ...] = ()) -> int:
    """INSERT INTO model (columns) SELECT their expressions FROM queryset [ON CONFLICT DO NOTHING].

    The rows are made by the database from rows it already has; returns how many were inserted.
    """
    aliases = {f"_{i}": expression for i, expression in enumerate(columns.values())}
    # annotate() and values() in the same order: the SELECT's columns line up with the INSERT's.
    select, params = queryset.annotate(**aliases).values(*aliases).query.sql_with_params()
    quote = connection.ops.quote_name
    targets = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({targets}) {select}"
    if conflict:
        keys = ", ".join(quote(model._meta.get_field(name).column) for name in conflict)
        sql += f" ON CONFLICT ({keys}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Marks the user's own notifications read (all when ids is None); returns how many changed."""
    queryset = Notification.objects.filter(recipient=user, read_at=None, deliver_after__lte=timezone.now())
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))


def deliver_pending(*, now: datetime | None = None, batch: int = 100) -> tuple[int, int]:
    """Sends pending deliveries whose time has come; returns (sent, failed). Safe to run twice."""
    from .channels import CHANNELS

    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        deliveries = list(
            Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("notification__recipient", "notification__deadline__student")[:batch]
        )
        for delivery in deliveries:
            try:
                CHANNELS[delivery.channel].send(delivery.notification)
            except Exception as error:  # a channel may fail in any way; the row records how
                delivery.attempts += 1
                delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
                if delivery.attempts > len(RETRY_DELAYS):
                    delivery.state = Delivery.State.FAILED
                    failed += 1
                else:
                    delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
            else:
                delivery.attempts += 1
                delivery.state, delivery.sent_at = Delivery.State.SENT, now
                sent += 1
            delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at", "sent_at"])
    return sent, failed
