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
from django.db.models import F
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
    claimed: int = 0  # rows a step took; a full batch means there may be more

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
    on the same row, and each notice is unique in the database.
    """
    now = calendar.require_aware(now, "now") if now is not None else timezone.now()
    total = SweepResult()
    for step in (sweep_reminders, sweep_overdue, sweep_escalations):
        while True:
            result = step(now=now, batch=batch)
            total += result
            if not result.claimed:
                break
    if total.notified:
        from .tasks import deliver_notifications

        transaction.on_commit(deliver_notifications.delay)
    return total


CLAIMED_FIELDS = (
    "pk",
    "rule",
    "status",
    "escalation_level",
    "campus_id",
    "owner_id",
    "student_id",
    "due_at",
    "subject_type_id",
    "subject_id",
)


def _claim(queryset, batch: int) -> list[dict]:
    """Locks up to `batch` rows no other sweep holds, and returns what the steps need of them."""
    locked = queryset.select_for_update(skip_locked=True, of=("self",)).order_by()
    return list(locked.values(*CLAIMED_FIELDS)[:batch])


@transaction.atomic
def sweep_reminders(*, now: datetime, batch: int = BATCH) -> SweepResult:
    """Open deadlines at their rule's lead time: "due soon" to the owner (not once it is too late)."""
    due_soon = Deadline.objects.filter(
        status=Status.OPEN, reminded_at=None, remind_at__lte=now, due_at__gt=now
    )
    rows = _claim(due_soon, batch)  # index deadline_open_remind
    if not rows:
        return SweepResult()
    Deadline.objects.filter(pk__in=[r["pk"] for r in rows]).update(reminded_at=now)
    notified = _notify([(r, r["owner_id"]) for r in rows], Kind.REMINDER, now)
    return SweepResult(reminded=len(rows), notified=notified, claimed=len(rows))


@transaction.atomic
def sweep_overdue(*, now: datetime, batch: int = BATCH) -> SweepResult:
    """Open deadlines past their due time become overdue; the owner is told."""
    rows = _claim(
        Deadline.objects.filter(status=Status.OPEN, due_at__lte=now), batch
    )  # index deadline_open_due
    if not rows:
        return SweepResult()
    Deadline.objects.filter(pk__in=[r["pk"] for r in rows]).update(status=Status.OVERDUE, overdue_at=now)
    timeline_add_many([_sweep_event(r, "deadline.overdue", Status.OVERDUE, now) for r in rows])
    notified = _notify([(r, r["owner_id"]) for r in rows], Kind.OVERDUE, now)
    return SweepResult(overdue=len(rows), notified=notified, claimed=len(rows))


ESCALATION_KINDS = {1: Kind.ESCALATED_SUPERVISOR, 2: Kind.ESCALATED_DIRECTOR}


@transaction.atomic
def sweep_escalations(*, now: datetime, batch: int = BATCH) -> SweepResult:
    """Late deadlines past their rule's grace go to the owner's supervisor; after a second grace,
    to the campus director. A level with nobody to tell is skipped."""
    rows = _claim(
        Deadline.objects.filter(status__in=LATE, escalate_at__lte=now), batch
    )  # deadline_late_escalate
    if not rows:
        return SweepResult()
    chains = _escalation_chains(rows)
    moves: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    notices: dict[int, list[tuple[dict, int]]] = defaultdict(list)
    events = []
    for row in rows:
        chain = chains[row["pk"]]
        level = next((lv for lv in (1, 2) if lv > row["escalation_level"] and chain[lv]), None)
        moves[(row["rule"], level)].append(row["pk"])
        if level:
            notices[level].extend((row, recipient) for recipient in chain[level])
            events.append(_sweep_event(row, "deadline.escalated", Status.ESCALATED, now, level=level))
    for (rule, level), ids in moves.items():
        Deadline.objects.filter(pk__in=ids).update(**_escalation_changes(rule, level))
    timeline_add_many(events)
    notified = sum(_notify(pairs, ESCALATION_KINDS[level], now) for level, pairs in notices.items())
    escalated = sum(len(ids) for (_, level), ids in moves.items() if level)
    return SweepResult(escalated=escalated, notified=notified, claimed=len(rows))


def _escalation_changes(rule: str, level: int | None) -> dict:
    if level is None:
        return {"escalate_at": None}  # nobody further up: the sweep stops looking at the row
    # The director's turn comes one more grace period later.
    later = F("due_at") + 2 * get_rule(rule).escalate_after if level == 1 else None
    return {"status": Status.ESCALATED, "escalation_level": level, "escalate_at": later}


def _escalation_chains(rows: list[dict]) -> dict[int, dict[int, list[int]]]:
    """For each deadline, whom each level tells: 1 the owner's supervisor, 2 the campus directors."""
    owners = {
        u["pk"]: u
        for u in User.objects.filter(pk__in={r["owner_id"] for r in rows}).values(
            "pk", "role", "team__supervisor_id"
        )
    }
    directors = defaultdict(list)
    campus_ids = {r["campus_id"] for r in rows}
    for pk, campus_id in User.objects.filter(
        role=Role.DIRECTOR, is_active=True, campus_id__in=campus_ids
    ).values_list("pk", "campus_id"):
        directors[campus_id].append(pk)
    chains = {}
    for row in rows:
        owner = owners[row["owner_id"]]
        supervisor = owner["team__supervisor_id"] if owner["role"] == Role.LEARNING_MANAGER else None
        above = [] if owner["role"] == Role.DIRECTOR else directors[row["campus_id"]]
        chains[row["pk"]] = {1: [supervisor] if supervisor else [], 2: above}
    return chains


def _sweep_event(row: dict, kind: str, new_status: str, now: datetime, **data) -> Event:
    return Event(
        subject_type_id=row["subject_type_id"],
        subject_id=row["subject_id"],
        kind=kind,
        campus_id=row["campus_id"],
        student_id=row["student_id"],
        from_state=row["status"],
        to_state=new_status,
        at=now,
        data={"rule": row["rule"], "deadline": row["pk"], "due_at": row["due_at"].isoformat(), **data},
    )


def _notify(pairs: list[tuple[dict, int]], kind: str, now: datetime) -> int:
    """Writes each (deadline, kind, recipient) notice once, held until the campus is at work, with a
    pending email delivery. Returns how many notices are new: a parallel sweep's are not counted."""
    if not pairs:
        return 0
    opening = _next_openings({row["campus_id"] for row, _ in pairs}, now)
    fresh = _insert_new_notifications(
        [(recipient, row["pk"], kind, now, opening[row["campus_id"]]) for row, recipient in pairs]
    )
    Delivery.objects.bulk_create(
        [Delivery(notification_id=pk, channel="email", next_attempt_at=after) for pk, after in fresh],
        ignore_conflicts=True,
    )
    return len(fresh)


def _insert_new_notifications(values: list[tuple]) -> list[tuple[int, datetime]]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the ids of the rows this call created, exactly."""
    table = Notification._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        p
        for recipient, deadline, kind, created, after in values
        for p in (recipient, deadline, kind, adapt(created), adapt(after))
    ]
    placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (recipient_id, deadline_id, kind, created_at, deliver_after) "
            f"VALUES {placeholders} ON CONFLICT (deadline_id, kind, recipient_id) DO NOTHING RETURNING id",
            params,
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    return list(Notification.objects.filter(pk__in=ids).values_list("pk", "deliver_after"))


def _next_openings(campus_ids: set[int], now: datetime) -> dict[int, datetime]:
    return {
        campus.pk: calendar.next_opening(now, campus) for campus in Campus.objects.filter(pk__in=campus_ids)
    }


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
