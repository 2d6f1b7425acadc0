"""The sweep against many open deadlines, beside two bounds on a fresh copy of the same rows, and the
sweep with nothing to do.

The bare-SQL bound is one UPDATE ... RETURNING feeding the notices. The same-writes bound writes every
row the sweep writes — the deadline update, the timeline event, the notice and its delivery — in one
hand-written statement per batch, and must leave exactly the rows the sweep left. The idle sweep runs
over as many active deadlines (and half as many closed ones) with nothing due but some reminders.

Run by `make bench` on PostgreSQL (a database of its own; everything in it is replaced).
"""

import contextlib
import time
import tracemalloc
from datetime import timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Campus, Role, User
from deadlines import calendar
from deadlines.models import Deadline, Delivery, Kind, Notification
from deadlines.rules import RULES
from deadlines.services import LAPSING, sweep
from timeline import audience
from timeline.models import Event


class Command(BaseCommand):
    help = (
        "Benchmarks the deadline sweep on PostgreSQL against one bare UPDATE ... RETURNING and against "
        "the same writes in one hand-written statement per batch, then the sweep with nothing due."
    )

    def add_arguments(self, parser):
        parser.add_argument("--open", type=int, default=1_000_000, help="open deadlines in the table")
        parser.add_argument("--due", type=int, default=10_000, help="of which due now")
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument("--campuses", type=int, default=100, help="the deadlines' campuses, in turn")
        parser.add_argument(
            "--reminders", type=int, default=1352, help="reminders due in the idle sweep (nothing else is)"
        )
        parser.add_argument("--idle", action="store_true", help="measure the idle sweep only")

    def handle(self, *args, open, due, batch, campuses, reminders, idle, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL: set DATABASE_URL (make bench does).")
        if (due > open and not idle) or reminders > open:
            raise CommandError("--due and --reminders cannot exceed --open")
        call_command("migrate", verbosity=0)
        now = timezone.now()
        owners = self.owners(campuses)
        self.stdout.write(f"open={open}{'' if idle else f' due={due}'} batch={batch} campuses={campuses}")
        if not idle:
            self.busy(open, due, batch, owners, now)
        self.idle(open, reminders, batch, owners, now)

    def busy(self, open: int, due: int, batch: int, owners: list[User], now) -> None:
        self.seed(open, due, owners, now)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = sweep(now=now, batch=batch)
            swept = time.perf_counter() - started
        written = self.rows_written()
        if result.overdue != due or written["counts"] != (due, due, due, due):
            raise CommandError(f"the sweep did not do its work: {result}, {written['counts']}")

        # Memory in a run of its own: tracing allocations slows Python down several times.
        self.seed(open, due, owners, now)
        tracemalloc.start()
        sweep(now=now, batch=batch)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        self.seed(open, due, owners, now)
        started = time.perf_counter()
        bare_rows = self.bare_sql(now)
        bare = time.perf_counter() - started
        if bare_rows != due:
            raise CommandError(f"the bare SQL touched {bare_rows} rows, expected {due}")

        self.seed(open, due, owners, now)
        started = time.perf_counter()
        openings = self.openings(now)  # when each campus opens: the sweep reads it too
        statements = self.same_writes(now, batch, openings)
        same = time.perf_counter() - started
        if self.rows_written() != written:
            raise CommandError("the same-writes bound did not write the rows the sweep wrote")

        self.stdout.write(
            f"  sweep:    {swept:.3f}s  queries={len(queries)}  rows/s={due / swept:,.0f}  "
            f"peak memory={peak / 1024 / 1024:.1f} MiB  ({result})\n"
            f"  bare SQL: {bare:.3f}s  queries=1  rows/s={due / bare:,.0f}\n"
            f"  ratio:    {swept / bare:.2f}\n"
            f"  same writes: {same:.3f}s  queries={statements}  rows/s={due / same:,.0f}  "
            f"(a deadline, an event, a notice and a delivery per due deadline)\n"
            f"  ratio to the same writes: {swept / same:.2f}"
        )

    def idle(self, open: int, reminders: int, batch: int, owners: list[User], now) -> None:
        self.seed_idle(open, reminders, owners, now)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = sweep(now=now, batch=batch)
            swept = time.perf_counter() - started
        if (result.reminded, result.overdue, result.escalated, result.missed) != (reminders, 0, 0, 0):
            raise CommandError(f"the idle sweep did other work than the reminders: {result}")
        self.stdout.write(
            f"  idle sweep: {swept:.3f}s  queries={len(queries)}  over {open} active deadlines "
            f"and {open // 2} closed, nothing due but {reminders} reminders  ({result})"
        )

    def owners(self, campuses: int) -> list[User]:
        """A learning manager on each of `campuses` campuses."""
        owners = []
        for i in range(1, campuses + 1):
            campus, _ = Campus.objects.get_or_create(
                code=f"bench{i}", defaults={"name": f"Benchmark campus {i}"}
            )
            # With an email address, and no choice made: overdue notices go by email (the default).
            owner, _ = User.objects.update_or_create(
                username=f"bench-manager-{i}",
                defaults={
                    "role": Role.LEARNING_MANAGER,
                    "campus": campus,
                    "email": f"bench-{i}@bench.invalid",
                },
            )
            owners.append(owner)
        return owners

    def truncate(self, cursor) -> None:
        tables = [m._meta.db_table for m in (Delivery, Notification, Event, Deadline)]
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")

    def subject_type(self) -> int:
        # Deadlines about students, named by label as the timeline names them (the file sits above the clock).
        return ContentType.objects.get_for_model(apps.get_model(audience.STUDENT)).pk

    def settle(self, cursor) -> None:
        """Fresh statistics, and the seed's writes flushed: a checkpoint of its own does not land in
        the measured run."""
        cursor.execute(f"VACUUM ANALYZE {Deadline._meta.db_table}")
        with contextlib.suppress(DatabaseError):  # not a superuser (nor pg_checkpoint): noisier figures
            cursor.execute("CHECKPOINT")

    def seed(self, total: int, due: int, owners: list[User], now) -> None:
        """`total` open deadlines of every rule and campus in turn, the first `due` of them past due;
        nothing else in the tables."""
        with connection.cursor() as cursor:
            self.truncate(cursor)
            cursor.execute(
                f"""
                INSERT INTO {Deadline._meta.db_table} (rule, subject_type_id, subject_id, occurrence,
                    campus_id, owner_id, opened_at, due_at, escalation_level, round, status, reason,
                    escalate_at)
                SELECT (%s::text[])[1 + g %% %s], %s, g, 1,
                    (%s::bigint[])[1 + g %% %s], (%s::bigint[])[1 + g %% %s], %s,
                    CASE WHEN g <= %s THEN %s ELSE %s END, 0, 0, 'open', '', %s
                FROM generate_series(1, %s) AS g
                """,
                [
                    list(RULES),
                    len(RULES),
                    self.subject_type(),
                    [o.campus_id for o in owners],
                    len(owners),
                    [o.pk for o in owners],
                    len(owners),
                    now - timedelta(days=2),
                    due,
                    now - timedelta(hours=1),
                    now + timedelta(days=30),
                    now + timedelta(days=60),
                    total,
                ],
            )
            self.settle(cursor)

    def seed_idle(self, active: int, reminders: int, owners: list[User], now) -> None:
        """`active` deadlines of every rule and campus in turn with nothing due: nine in ten open (due in
        3 to 30 days, reminded a day before; the first `reminders` of them to be reminded now; the
        pre-class ones before a first lesson still to come), one in ten late (overdue with the next
        escalation to come, or escalated as far as it goes); and half as many closed in the past."""
        days = timedelta(days=1)
        with connection.cursor() as cursor:
            self.truncate(cursor)
            cursor.execute(
                f"""
                INSERT INTO {Deadline._meta.db_table} (rule, subject_type_id, subject_id, occurrence,
                    campus_id, owner_id, opened_at, event_at, due_at, remind_at, escalate_at,
                    escalation_level, round, status, reason, closed_at)
                SELECT rule, %(subject_type)s, g, 1, campus_id, owner_id, %(now)s - 30 * %(day)s,
                    CASE WHEN rule = ANY(%(lapsing)s) AND kind <> 'met'
                        THEN GREATEST(due_at, %(now)s) + %(day)s END,
                    due_at,
                    CASE WHEN kind = 'open' THEN
                        CASE WHEN g <= %(reminders)s THEN %(now)s - interval '1 minute'
                        ELSE due_at - %(day)s END
                    END,
                    CASE kind WHEN 'overdue' THEN %(now)s + %(day)s END,
                    CASE kind WHEN 'escalated' THEN 2 ELSE 0 END, 0, kind, '',
                    CASE kind WHEN 'met' THEN due_at END
                FROM (
                    SELECT g, (%(rules)s::text[])[1 + g %% %(n_rules)s] AS rule,
                        (%(campuses)s::bigint[])[1 + g %% %(n_owners)s] AS campus_id,
                        (%(owners)s::bigint[])[1 + g %% %(n_owners)s] AS owner_id,
                        CASE WHEN g > %(active)s THEN 'met'
                            WHEN g > %(reminders)s AND g %% 10 = 1 THEN 'overdue'
                            WHEN g > %(reminders)s AND g %% 10 = 2 THEN 'escalated' ELSE 'open' END AS kind,
                        %(now)s + (CASE WHEN g > %(active)s OR (g > %(reminders)s AND g %% 10 IN (1, 2))
                            THEN -1 - g %% 30 ELSE 3 + g %% 28 END) * %(day)s AS due_at
                    FROM generate_series(1, %(active)s + %(active)s / 2) AS g
                ) AS rows
                """,
                {
                    "subject_type": self.subject_type(),
                    "now": now,
                    "day": days,
                    "lapsing": list(LAPSING),
                    "reminders": reminders,
                    "rules": list(RULES),
                    "n_rules": len(RULES),
                    "campuses": [o.campus_id for o in owners],
                    "owners": [o.pk for o in owners],
                    "n_owners": len(owners),
                    "active": active,
                },
            )
            self.settle(cursor)

    def bare_sql(self, now) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH due AS (
                    UPDATE {Deadline._meta.db_table} SET status = 'overdue', overdue_at = %s
                    WHERE status = 'open' AND due_at < %s RETURNING id, owner_id
                )
                INSERT INTO {Notification._meta.db_table}
                    (recipient_id, deadline_id, round, kind, created_at, deliver_after)
                SELECT owner_id, id, 0, %s, %s, %s FROM due
                """,
                [now, now, Kind.OVERDUE, now, now],
            )
            return cursor.rowcount

    def openings(self, now) -> dict[int, object]:
        """When each campus next opens: the notices wait for it (as the sweep computes it)."""
        return calendar.next_openings(now, Campus.objects.all())

    def same_writes(self, now, batch: int, openings: dict) -> int:
        """The sweep's overdue step by hand: per batch one statement claims the due rows (SKIP LOCKED),
        marks them overdue, and writes their timeline events, notices (held until the campus opens) and
        email deliveries. Returns how many statements ran (the last one finds nothing)."""
        deadline, event = Deadline._meta.db_table, Event._meta.db_table
        notification, delivery = Notification._meta.db_table, Delivery._meta.db_table
        sql = f"""
            WITH claimed AS (
                SELECT id FROM {deadline} WHERE status = 'open' AND due_at <= %(now)s
                ORDER BY due_at LIMIT %(batch)s FOR UPDATE SKIP LOCKED
            ), due AS (
                UPDATE {deadline} SET status = 'overdue', overdue_at = %(now)s
                WHERE id = ANY(ARRAY(SELECT id FROM claimed))
                RETURNING id, rule, round, owner_id, campus_id, student_id, subject_type_id, subject_id
            ), events AS (
                INSERT INTO {event} (at, actor_id, kind, subject_type_id, subject_id, campus_id, student_id,
                    from_state, to_state, reason, data)
                SELECT %(now)s, NULL, 'deadline.overdue', subject_type_id, subject_id, campus_id, student_id,
                    'open', 'overdue', '', jsonb_build_object('rule', rule, 'deadline', id)
                FROM due
            ), notices AS (
                INSERT INTO {notification} (recipient_id, deadline_id, round, kind, created_at, deliver_after)
                SELECT owner_id, id, round, %(kind)s, %(now)s, COALESCE(opening.at, %(now)s)
                FROM due LEFT JOIN unnest(%(campuses)s::bigint[], %(openings)s::timestamptz[])
                    AS opening (campus_id, at) USING (campus_id)
                ON CONFLICT (deadline_id, round, kind, recipient_id) DO NOTHING
                RETURNING id, deliver_after
            )
            INSERT INTO {delivery} (notification_id, channel, state, attempts, next_attempt_at, sent_at,
                last_error)
            SELECT id, 'email', %(pending)s, 0, deliver_after, NULL, '' FROM notices
            ON CONFLICT (notification_id, channel) DO NOTHING
        """
        params = {
            "now": now,
            "batch": batch,
            "kind": Kind.OVERDUE,
            "pending": Delivery.State.PENDING,
            "campuses": list(openings),
            "openings": list(openings.values()),
        }
        statements = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(sql, params)
                statements += 1
                if not cursor.rowcount:
                    return statements

    def rows_written(self) -> dict:
        """How many deadlines are overdue and how many events, notices and deliveries there are, and a
        fingerprint of each table's rows (their own ids aside): two runs that wrote the same rows agree."""
        deadline, event = Deadline._meta.db_table, Event._meta.db_table
        notification, delivery = Notification._meta.db_table, Delivery._meta.db_table
        fingerprints = {
            "deadlines": f"""SELECT count(*) FILTER (WHERE status = 'overdue'),
                md5(string_agg(concat_ws('|', id, status, overdue_at, reminded_at, escalate_at,
                    escalation_level, closed_at, reason), ',' ORDER BY id)) FROM {deadline}""",
            "events": f"""SELECT count(*), md5(string_agg(concat_ws('|', at, actor_id, kind, subject_type_id,
                subject_id, campus_id, student_id, from_state, to_state, reason, data::text), ','
                ORDER BY subject_id, kind)) FROM {event}""",
            "notices": f"""SELECT count(*), md5(string_agg(concat_ws('|', recipient_id, deadline_id, round,
                kind, created_at, deliver_after, read_at), ',' ORDER BY deadline_id, kind, recipient_id))
                FROM {notification}""",
            "deliveries": f"""SELECT count(*), md5(string_agg(concat_ws('|', n.deadline_id, n.kind,
                n.recipient_id, d.channel, d.state, d.attempts, d.next_attempt_at, d.sent_at, d.last_error),
                ',' ORDER BY n.deadline_id, n.kind, n.recipient_id, d.channel))
                FROM {delivery} d JOIN {notification} n ON n.id = d.notification_id""",
        }
        rows = {}
        with connection.cursor() as cursor:
            for name, sql in fingerprints.items():
                cursor.execute(sql)
                rows[name] = cursor.fetchone()
        return {"counts": tuple(count for count, _ in rows.values()), "rows": rows}
