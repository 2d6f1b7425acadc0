"""Writes of the clock: opening and closing deadlines, the sweep, notifications.

Every transition is compare-and-set and leaves a timeline event in the same transaction; the
sweep claims rows with SKIP LOCKED and creates each notification once (a unique constraint).
"""

from collections import defaultdict
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, DateTimeField, F, IntegerField, Value, When
from django.db.models.functions import JSONObject
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Campus, Role, User
from accounts.scope import caseload_q
from timeline.models import Event
from timeline.services import student_id_of, timeline_add

from . import calendar, preferences
from .messages import notification_text, notification_url
from .models import ACTIVE, LAPSING_RULES, LATE, Deadline, Delivery, Kind, Notification, Status
from .rules import RULES, get_rule

# Who may waive a deadline: a supervisor and above, for deadlines in their scope that are not their own.
WAIVERS = (Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN)
BATCH = 1000


def _subject_filter(subject: models.Model) -> dict:
    return {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk}


def _record_one(deadline: Deadline, kind: str, **kwargs) -> None:
    """The timeline event of one deadline's transition (the subject by reference: it may be gone)."""
    data = {"rule": deadline.rule, "deadline": deadline.pk, "due_at": deadline.due_at.isoformat()}
    timeline_add(
        subject=(deadline.subject_type_id, deadline.subject_id),
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
            # Late from the start (a first lesson set within 24 hours): the grace runs from now.
            "escalate_at": max(due_at, start) + rule_obj.escalate_after,
        },
    )
    if created:
        _record_one(deadline, "deadline.opened", actor=actor, to_state=Status.OPEN, at=start)
    return deadline


def _active(rule: str, subject: models.Model, occurrence: int | None = None) -> Deadline | None:
    """The subject's active deadline of `rule` (the latest, or the given occurrence), locked until the
    transaction ends."""
    rows = Deadline.objects.select_for_update().filter(
        rule=rule, status__in=ACTIVE, **_subject_filter(subject)
    )
    if occurrence is not None:
        rows = rows.filter(occurrence=occurrence)
    return rows.order_by("-occurrence").first()


@transaction.atomic
def deadline_meet(
    *,
    rule: str,
    subject: models.Model,
    actor: User,
    at: datetime | None = None,
    occurrence: int | None = None,
) -> Deadline | None:
    """The work was recorded: closes the active deadline (met, or met late). None if none was open.

    For a recurring rule the next occurrence opens, counted from now. `occurrence` picks one of
    several open at once (a monthly rule keyed by its month).
    """
    rule_obj = get_rule(rule)
    at = calendar.require_aware(at, "at") if at is not None else timezone.now()
    deadline = _active(rule, subject, occurrence)
    if deadline is None:
        return None
    old = deadline.status
    deadline.status = Status.MET if at <= deadline.due_at else Status.MET_LATE
    deadline.closed_at, deadline.closed_by = at, actor
    deadline.save(update_fields=["status", "closed_at", "closed_by"])
    _record_one(deadline, "deadline.met", actor=actor, from_state=old, to_state=deadline.status, at=at)
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
    """A supervisor or above lifts a deadline in their scope, saying why. False if it was already closed."""
    if actor.role not in WAIVERS or actor.pk == deadline.owner_id:
        raise PermissionDenied(
            _("Only a supervisor or the campus director may waive a deadline, and not their own.")
        )
    if not Deadline.objects.filter(caseload_q(actor, manager="owner"), pk=deadline.pk).exists():
        raise PermissionDenied(_("This deadline is not in your scope."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this deadline is waived.")})
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.status not in ACTIVE:
        return False
    _close_waived(deadline, "deadline.waived", actor, reason)
    return True


def _close_waived(deadline: Deadline, kind: str, actor: User | None, reason: str) -> None:
    """Closes a locked, active deadline as waived, with the reason, on the timeline as `kind`."""
    old = deadline.status
    deadline.status, deadline.closed_at, deadline.closed_by, deadline.reason = (
        Status.WAIVED,
        timezone.now(),
        actor,
        reason,
    )
    deadline.save(update_fields=["status", "closed_at", "closed_by", "reason"])
    _record_one(deadline, kind, actor=actor, from_state=old, to_state=Status.WAIVED, reason=reason)


@transaction.atomic
def deadline_stop(*, rule: str, subject: models.Model, actor: User, reason: str) -> Deadline | None:
    """The work no longer applies (the student paused, the contract ended): the active deadline
    closes as waived, with the reason. The caller has checked the actor may do what stops it."""
    deadline = _active(rule, subject)
    if deadline is None:
        return None
    _close_waived(deadline, "deadline.stopped", actor, reason)
    return deadline


def deadline_notify_owner(deadline: Deadline) -> bool:
    """Tells the owner of a deadline opened by someone else's change (L10) without waiting for a
    reminder: a notice at the campus's next opening, with the deliveries the owner chose for new tasks.
    False if already told."""
    now = timezone.now()
    notice, created = Notification.objects.get_or_create(
        deadline=deadline,
        round=deadline.round,
        kind=Kind.OPENED,
        recipient_id=deadline.owner_id,
        defaults={"created_at": now, "deliver_after": calendar.next_opening(now, deadline.campus)},
    )
    if created:
        preferences.deliveries_create(Notification.objects.filter(pk=notice.pk), Kind.OPENED)
    return created


def notices_about(*, record: models.Model, kind: str, recipients, round: int, student_id, campus) -> int:
    """Tells each of `recipients` once per `round` about a record that is no deadline (a refund
    waiting for its approver): a notice at the opening of the recipient's campus (the company's hours
    for company-wide roles), with the deliveries each chose. Returns how many notices are new."""
    now = timezone.now()
    about = {"subject_type": ContentType.objects.get_for_model(record), "subject_id": record.pk}
    rows = [
        Notification(
            recipient=person,
            **about,
            student_id=student_id,
            campus=campus,
            round=round,
            kind=kind,
            created_at=now,
            deliver_after=calendar.next_opening(now, person.campus),
        )
        for person in recipients
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)  # notification_about_once
    new = Notification.objects.filter(**about, round=round, kind=kind, created_at=now, deadline=None)
    preferences.deliveries_create(new, kind)
    return new.count()


@transaction.atomic
def deadline_reschedule(
    *, rule: str, subject: models.Model, event: datetime | None, actor: User | None = None, reason: str = ""
) -> Deadline | None:
    """The event a deadline counts to has moved (the first lesson, the next lesson): due again from it.

    The clock starts over: the deadline is open again (the next sweep marks it overdue at once if
    the new due time has passed), with reminders, notices and escalation afresh. None if no
    deadline was active.
    """
    rule_obj = get_rule(rule)
    if not rule_obj.due.moves_with_event:
        raise ValueError(f"rule {rule} does not count towards an event; it cannot be rescheduled")
    if event is not None or rule_obj.due.needs_event:  # an event that came off counts as none
        calendar.require_aware(event, "event")
    deadline = _active(rule, subject)
    if deadline is None:
        return None
    now = timezone.now()
    old_due, old_status = deadline.due_at, deadline.status
    deadline.event_at = event
    deadline.due_at = rule_obj.due_at(start=deadline.opened_at, event=event, campus=deadline.campus)
    deadline.remind_at = rule_obj.remind_at(deadline.due_at, now)
    deadline.reminded_at = None
    deadline.escalate_at = max(deadline.due_at, now) + rule_obj.escalate_after
    deadline.escalation_level = 0
    deadline.round += 1  # a new round of notices: the unique key of the old ones lets new ones in
    deadline.status, deadline.overdue_at = Status.OPEN, None
    deadline.save(
        update_fields=[
            "event_at",
            "due_at",
            "remind_at",
            "reminded_at",
            "escalate_at",
            "escalation_level",
            "round",
            "status",
            "overdue_at",
        ]
    )
    _record_one(
        deadline,
        "deadline.rescheduled",
        actor=actor,
        from_state=old_status,
        to_state=deadline.status,
        reason=reason,
        data={"old_due_at": old_due.isoformat()},
    )
    return deadline


# The sweep


@dataclass
class SweepResult:
    overdue: int = 0
    reminded: int = 0
    escalated: int = 0
    notified: int = 0
    missed: int = 0
    claimed: int = 0  # rows a step took; the step runs again until it takes none

    def __add__(self, other: "SweepResult") -> "SweepResult":
        return SweepResult(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def __str__(self):
        return (
            f"swept: overdue={self.overdue} reminded={self.reminded} "
            f"escalated={self.escalated} notified={self.notified}"
        ) + (f" missed={self.missed}" if self.missed else "")


def sweep(*, now: datetime | None = None, batch: int = BATCH) -> SweepResult:
    """One pass of the clock: lapses, reminders, overdue, escalations, a batch at a time until none
    is due.

    Safe to run in parallel: each batch claims its rows with SKIP LOCKED, so two sweeps never act
    on the same row, and each notice is unique in the database. The rows a batch writes (timeline
    events, notices, deliveries) are made by the database from the rows it claimed, not in Python.
    With nothing due, each step costs one query on its partial index.
    """
    now = calendar.require_aware(now, "now") if now is not None else timezone.now()
    openings = Openings(now)
    total = SweepResult()
    for step in (sweep_lapsed, sweep_reminders, sweep_overdue, sweep_escalations):
        while True:
            result = step(now=now, batch=batch, openings=openings)
            total += result
            # A short batch took every due row no other sweep holds, except for escalations: a row
            # escalated to the supervisor may be due for the director too (a sweep after a long stop).
            if not result.claimed or (result.claimed < batch and step is not sweep_escalations):
                break
    return total


class Openings:
    """When each campus next opens after `now` (the notices wait for it): read once, when a step
    first has something to tell, in two queries whatever the number of campuses."""

    def __init__(self, now: datetime):
        self.now = now
        self._at: dict[int, datetime] | None = None

    @property
    def read(self) -> bool:
        return self._at is not None

    @property
    def at(self) -> dict[int, datetime]:
        if self._at is None:
            self._at = calendar.next_openings(self.now, Campus.objects.all())
        return self._at


def _claim(queryset, batch: int, *fields: str) -> list:
    """Locks up to `batch` rows that no other sweep holds, in the queryset's order (its index's)."""
    locked = queryset.select_for_update(skip_locked=True, of=("self",))
    if fields:
        return list(locked.values(*fields)[:batch])
    return list(locked.values_list("pk", flat=True)[:batch])


# Why each lapsing rule's clock closes as missed once its event has begun (P1–P3 at the first lesson).
LAPSING = {rule: RULES[rule].lapses_at_event for rule in LAPSING_RULES}


@transaction.atomic
def sweep_lapsed(*, now: datetime, batch: int = BATCH, openings: Openings) -> SweepResult:
    """Active deadlines of a lapsing rule whose event has begun close as missed: late for good,
    counted as not on time, no longer escalated or offered as work."""
    lapsed = Deadline.objects.filter(rule__in=LAPSING_RULES, status__in=ACTIVE, event_at__lte=now)
    with translation.override(settings.LANGUAGE_CODE):
        reasons = [str(LAPSING[rule]) for rule in LAPSING_RULES]
    claimed, missed, _ = _sweep_batch(
        lapsed.order_by("event_at"),  # index deadline_lapsing_event
        batch,
        now=now,
        changes={
            "status": Status.MISSED,
            "closed_at": now,
            "reason": dict(zip(LAPSING_RULES, reasons, strict=True)),  # by the row's rule
            "escalate_at": None,
        },
        event="deadline.missed",
    )
    return SweepResult(missed=missed, claimed=claimed)


@transaction.atomic
def sweep_reminders(*, now: datetime, batch: int = BATCH, openings: Openings) -> SweepResult:
    """Open deadlines at their rule's lead time: "due soon" to the owner, unless the campus is closed
    until after the due time (then the reminder would come too late to help, and is dropped)."""
    due_soon = Deadline.objects.filter(
        status=Status.OPEN, reminded_at=None, remind_at__lte=now, due_at__gt=now
    )
    claimed, reminded, notified = _sweep_batch(
        due_soon.order_by("remind_at"),  # index deadline_open_remind
        batch,
        now=now,
        changes={"reminded_at": now},
        notice=Kind.REMINDER,
        openings=openings,
        only_in_time=True,
    )
    return SweepResult(reminded=reminded, notified=notified, claimed=claimed)


@transaction.atomic
def sweep_overdue(*, now: datetime, batch: int = BATCH, openings: Openings) -> SweepResult:
    """Open deadlines past their due time become overdue; the owner is told."""
    due = Deadline.objects.filter(status=Status.OPEN, due_at__lte=now)
    claimed, overdue, notified = _sweep_batch(
        due.order_by("due_at"),  # index deadline_open_due
        batch,
        now=now,
        changes={"status": Status.OVERDUE, "overdue_at": now},
        event="deadline.overdue",
        notice=Kind.OVERDUE,
        openings=openings,
    )
    return SweepResult(overdue=overdue, notified=notified, claimed=claimed)


def _sweep_batch(
    due,
    batch: int,
    *,
    now: datetime,
    changes: dict,
    event: str = "",
    notice: str = "",
    openings: Openings | None = None,
    only_in_time: bool = False,
) -> tuple[int, int, int]:
    """One statement for one batch: claims up to `batch` rows of `due` (SKIP LOCKED, in its order),
    applies `changes` (column: value, or a dict of values by the row's rule), and from the changed
    rows writes the timeline event `event` (from the status claimed to the new one, with the row's
    reason) and the owner's notice of kind `notice` (held until the campus opens; `only_in_time`:
    only for rows still due after that) with the deliveries its recipient chose (preferences).
    Returns how many rows it claimed, how many it changed and how many notices are new (a parallel
    sweep's are not counted).

    The claim is the compare-and-set: its rows stay locked, as read, until the update in the same
    statement. The update takes them by key (`= ANY(ARRAY(...))`, so the planner probes the primary
    key for each claimed row; a join may hash the whole table instead).
    """
    # Nothing to tell: the campuses' calendars need not be read. (Not exists(), which drops the
    # order: without it the planner may read the whole table for the first row.)
    if notice and not openings.read and not due.values_list("pk", flat=True)[:1]:
        return 0, 0, 0
    if not _one_statement():  # the embedded database of `make run`
        return _sweep_batch_portable(
            due,
            batch,
            now=now,
            changes=changes,
            event=event,
            notice=notice,
            openings=openings,
            only_in_time=only_in_time,
        )
    locked = due.select_for_update(skip_locked=True, of=("self",))
    claim, params = locked.values("pk", "status")[:batch].query.sql_with_params()
    params = list(params)
    quote = connection.ops.quote_name
    deadline, events, notices = (quote(model._meta.db_table) for model in (Deadline, Event, Notification))
    sets = [_set_sql(column, value) for column, value in changes.items()]
    sql = f"""
        WITH claimed AS MATERIALIZED ({claim}),
        changed AS (
            UPDATE {deadline} AS d SET {", ".join(f"{column} = {value}" for column, value, _ in sets)}
            WHERE d.id = ANY(ARRAY(SELECT pk FROM claimed))
            RETURNING d.*
        )"""
    params += [param for _, _, values in sets for param in values]
    if event:
        sql += f""",
        events AS (
            INSERT INTO {events} (at, actor_id, kind, subject_type_id, subject_id, campus_id, student_id,
                from_state, to_state, reason, data)
            SELECT %s, NULL, %s, subject_type_id, subject_id, campus_id, student_id, claimed.status,
                changed.status, reason, jsonb_build_object('rule', rule, 'deadline', id)
            FROM changed JOIN claimed ON claimed.pk = changed.id
        )"""
        params += [now, event]
    if notice:
        at = openings.at
        deliveries_sql, deliveries_params = preferences.deliveries_insert("notices", [], notice)
        sql += f""",
        notices AS (
            INSERT INTO {notices} (recipient_id, deadline_id, round, kind, created_at, deliver_after)
            SELECT owner_id, id, round, %s, %s, COALESCE(opening.at, %s)
            FROM changed LEFT JOIN unnest(%s::bigint[], %s::timestamptz[]) AS opening (campus_id, at)
                USING (campus_id)
            {"WHERE due_at > COALESCE(opening.at, %s)" if only_in_time else ""}
            ON CONFLICT (deadline_id, round, kind, recipient_id) DO NOTHING
            RETURNING id, recipient_id, created_at, deliver_after
        ),
        deliveries AS ({deliveries_sql})"""
        params += [notice, now, now, list(at), list(at.values())]
        params += [now] if only_in_time else []
        params += deliveries_params
    sql += f"""
        SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM changed),
            {"(SELECT count(*) FROM notices)" if notice else "0"}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _one_statement() -> bool:
    """Whether the database writes a batch in one statement (data-modifying CTEs: PostgreSQL)."""
    return connection.vendor == "postgresql"


def _set_sql(column: str, value) -> tuple[str, str, list]:
    """One change of _sweep_batch as SQL over the row `d`: (column, expression, parameters)."""
    if isinstance(value, dict):
        return (
            column,
            "(%s::text[])[array_position(%s::text[], d.rule::text)]",
            [list(value.values()), list(value)],
        )
    if value is None:
        return column, "NULL", []
    return column, "%s", [value]


def _sweep_batch_portable(
    due, batch: int, *, now, changes: dict, event: str, notice: str, openings, only_in_time: bool
) -> tuple[int, int, int]:
    """_sweep_batch in a few statements for databases without data-modifying CTEs (SQLite, the
    development default): the same rows written, without the single statement's speed."""
    claimed = {row["pk"]: row["status"] for row in _claim(due, batch, "pk", "status")}
    if not claimed:
        return 0, 0, 0
    values = {
        column: Case(*(When(rule=rule, then=Value(v)) for rule, v in value.items()), default=F(column))
        if isinstance(value, dict)
        else value
        for column, value in changes.items()
    }
    changed = Deadline.objects.filter(pk__in=claimed).update(**values)
    rows = list(Deadline.objects.filter(pk__in=claimed))
    if event:
        Event.objects.bulk_create(
            Event(
                at=now,
                kind=event,
                subject_type_id=row.subject_type_id,
                subject_id=row.subject_id,
                campus_id=row.campus_id,
                student_id=row.student_id,
                from_state=claimed[row.pk],
                to_state=row.status,
                reason=row.reason,
                data={"rule": row.rule, "deadline": row.pk},
            )
            for row in rows
        )
    notified = 0
    if notice:
        at = openings.at
        told = [row for row in rows if not only_in_time or row.due_at > at.get(row.campus_id, now)]
        Notification.objects.bulk_create(
            (
                Notification(
                    recipient_id=row.owner_id,
                    deadline_id=row.pk,
                    round=row.round,
                    kind=notice,
                    created_at=now,
                    deliver_after=at.get(row.campus_id, now),
                )
                for row in told
            ),
            ignore_conflicts=True,
        )
        new = Notification.objects.filter(deadline__in=[row.pk for row in told], kind=notice, created_at=now)
        notified = new.count()
        preferences.deliveries_create(new, notice)
    return len(claimed), changed, notified


ESCALATION_KINDS = {1: Kind.ESCALATED_SUPERVISOR, 2: Kind.ESCALATED_DIRECTOR}


@transaction.atomic
def sweep_escalations(*, now: datetime, batch: int = BATCH, openings: Openings) -> SweepResult:
    """Late deadlines past their rule's grace go to the owner's supervisor; after a second grace,
    to the campus director. A level with nobody to tell is skipped."""
    late = Deadline.objects.filter(status__in=LATE, escalate_at__lte=now)
    rows = _claim(
        late.order_by("escalate_at"),  # index deadline_late_escalate
        batch,
        *("pk", "rule", "escalation_level", "owner_id", "campus_id"),
    )
    if not rows:
        return SweepResult()
    reachable = _reachable_levels(rows)
    # (rule, level read, level to reach) -> deadlines; None: nobody further up to tell.
    moves: dict[tuple[str, int, int | None], list[int]] = defaultdict(list)
    for row in rows:
        current = row["escalation_level"]
        level = next((lv for lv in (1, 2) if lv > current and lv in reachable[row["pk"]]), None)
        moves[(row["rule"], current, level)].append(row["pk"])
    to_level = {
        lv: [pk for (_, _, level), ids in moves.items() if level == lv for pk in ids] for lv in (1, 2)
    }
    for level, ids in to_level.items():
        if ids:
            claimed = Deadline.objects.filter(pk__in=ids)
            _record(claimed, kind="deadline.escalated", to_state=Status.ESCALATED, now=now, level=level)
    for (rule, current, level), ids in moves.items():
        # Compare-and-set: only rows still late at the level this sweep read.
        still = Deadline.objects.filter(pk__in=ids, status__in=LATE, escalation_level=current)
        still.update(**_escalation_changes(rule, level))
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


def _record(deadlines, *, kind: str, to_state: str, now: datetime, reason: str = "", **data) -> None:
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
            "reason": Value(reason),
            "data": JSONObject(rule=F("rule"), deadline=F("pk"), **{k: Value(v) for k, v in data.items()}),
        },
    )


def _opening(openings: Openings, now: datetime) -> Case:
    """The next opening of each row's campus, as an SQL expression."""
    return Case(
        *[When(campus_id=campus, then=Value(at)) for campus, at in openings.at.items()],
        default=Value(now),
        output_field=DateTimeField(),
    )


def _notify(deadlines, ids: list[int], *, recipient, kind: str, now: datetime, openings: Openings) -> int:
    """Each (deadline, round, kind, recipient) notice once, held until the campus is at work, with the
    deliveries its recipient chose. Returns how many notices are new: a parallel sweep's are not counted."""
    deliver_after = _opening(openings, now)
    created = _insert_select(
        Notification,
        deadlines.order_by(),
        {
            "recipient": recipient,
            "deadline": F("pk"),
            "round": F("round"),
            "kind": Value(kind),
            "created_at": Value(now, DateTimeField()),
            "deliver_after": deliver_after,
        },
        conflict=("deadline", "round", "kind", "recipient"),
    )
    preferences.deliveries_create(Notification.objects.filter(deadline_id__in=ids, kind=kind), kind)
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


def _still_readable(notice: Notification) -> bool:
    """A notice goes out only while its reader may open its record (a student may have moved on)."""
    from .selectors import readable_notices_q

    return Notification.objects.filter(readable_notices_q(notice.recipient), pk=notice.pk).exists()


RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
LEASE = timedelta(minutes=5)
# A channel that answered "too many requests" is left alone this long before the rest of its batch.
BUSY_WAIT = timedelta(minutes=1)


def deliver_pending(*, now: datetime | None = None, batch: int = 100) -> tuple[int, int]:
    """Sends the pending deliveries whose time has come; returns (sent, given up).

    Rows are first leased — their next attempt moved past the sending time, and committed — then
    sent outside any transaction, so a slow mail server holds no lock; each outcome is recorded
    with compare-and-set on the lease. Two runs never send the same row; if a run dies mid-send,
    the lease runs out and the row is tried again. A channel that says it is busy (a rate limit)
    gets no more rows of this batch: they wait BUSY_WAIT without counting an attempt.
    """
    from .channels import CHANNELS, ChannelBusy

    now = now or timezone.now()
    lease_until = now + LEASE
    with transaction.atomic():
        due = Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        ids = _claim(due.order_by("next_attempt_at"), batch)  # index delivery_pending
        Delivery.objects.filter(pk__in=ids, state=Delivery.State.PENDING).update(next_attempt_at=lease_until)
    sent = failed = 0
    busy: set[str] = set()
    leased = Delivery.objects.filter(pk__in=ids).select_related(
        "notification__recipient__campus",
        "notification__deadline__student",
        "notification__deadline__owner",
        "notification__student",
        "notification__campus",
        "digest__recipient__campus",
    )
    for delivery in leased:
        mine = Delivery.objects.filter(
            pk=delivery.pk, state=Delivery.State.PENDING, next_attempt_at=lease_until
        )
        if delivery.channel in busy:
            mine.update(next_attempt_at=_retry_at(delivery, now + BUSY_WAIT))
            continue
        attempts = delivery.attempts + 1
        if delivery.notification_id and not _still_readable(delivery.notification):
            mine.update(state=Delivery.State.DROPPED)
            continue
        try:
            CHANNELS[delivery.channel].send(_message(delivery))
        except ChannelBusy as error:
            busy.add(delivery.channel)
            mine.update(
                last_error=f"ChannelBusy: {error}"[:2000],
                next_attempt_at=_retry_at(delivery, now + BUSY_WAIT),
            )
        except Exception as error:  # a channel may fail in any way; the row records how
            gave_up = attempts > len(RETRY_DELAYS)
            mine.update(
                attempts=attempts,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                state=Delivery.State.FAILED if gave_up else Delivery.State.PENDING,
                next_attempt_at=now if gave_up else _retry_at(delivery, now + RETRY_DELAYS[attempts - 1]),
            )
            failed += gave_up
        else:
            sent += mine.update(attempts=attempts, state=Delivery.State.SENT, sent_at=now)
    return sent, failed


def _retry_at(delivery: Delivery, at: datetime) -> datetime:
    """When to try again: `at`, or the next opening of the reader's campus if `at` is outside its
    working hours and the reader did not choose this kind of notice outside them too."""
    if delivery.notification_id:
        recipient, kind = delivery.notification.recipient, delivery.notification.kind
        if preferences.choices_of(recipient)[preferences.TOPIC_OF_KIND[kind]].off_hours:
            return at
    else:
        recipient = delivery.digest.recipient
    return calendar.next_opening(at, recipient.campus)


def _message(delivery: Delivery):
    """What the delivery tells its reader, in the company's language, with an absolute link."""
    from .channels import Message

    if delivery.digest_id:
        digest = delivery.digest
        return Message(digest.recipient, digest.title, digest.body, settings.SITE_URL + "/")
    notice = delivery.notification
    with translation.override(settings.LANGUAGE_CODE):
        title, body = notification_text(notice)
    return Message(notice.recipient, title, body, settings.SITE_URL + notification_url(notice))
