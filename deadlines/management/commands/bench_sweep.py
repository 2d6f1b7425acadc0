"""The sweep against many open deadlines, beside the bare-SQL bound on a fresh copy of the same rows.

Run by `make bench` on PostgreSQL (a database of its own; everything in it is replaced).
"""

import time
import tracemalloc
from datetime import timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Campus, Role, User
from deadlines.models import Deadline, Delivery, Kind, Notification
from deadlines.rules import RULES
from deadlines.services import sweep
from timeline import audience
from timeline.models import Event


class Command(BaseCommand):
    help = "Benchmarks the deadline sweep on PostgreSQL against one bare UPDATE ... RETURNING."

    def add_arguments(self, parser):
        parser.add_argument("--open", type=int, default=1_000_000, help="open deadlines in the table")
        parser.add_argument("--due", type=int, default=10_000, help="of which due now")
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, open, due, batch, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL: set DATABASE_URL (make bench does).")
        if due > open:
            raise CommandError("--due cannot exceed --open")
        call_command("migrate", verbosity=0)
        now = timezone.now()
        owner = self.owner()

        self.seed(open, due, owner, now)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = sweep(now=now, batch=batch)
            swept = time.perf_counter() - started
        if result.overdue != due or Notification.objects.count() != due:
            raise CommandError(f"the sweep did not do its work: {result}")

        # Memory in a run of its own: tracing allocations slows Python down several times.
        self.seed(open, due, owner, now)
        tracemalloc.start()
        sweep(now=now, batch=batch)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        self.seed(open, due, owner, now)
        started = time.perf_counter()
        bare_rows = self.bare_sql(now)
        bare = time.perf_counter() - started
        if bare_rows != due:
            raise CommandError(f"the bare SQL touched {bare_rows} rows, expected {due}")

        self.stdout.write(
            f"open={open} due={due} batch={batch}\n"
            f"  sweep:    {swept:.3f}s  queries={len(queries)}  rows/s={due / swept:,.0f}  "
            f"peak memory={peak / 1024 / 1024:.1f} MiB  ({result})\n"
            f"  bare SQL: {bare:.3f}s  queries=1  rows/s={due / bare:,.0f}\n"
            f"  ratio:    {swept / bare:.2f}"
        )

    def owner(self) -> User:
        campus, _ = Campus.objects.get_or_create(code="bench", defaults={"name": "Benchmark campus"})
        owner, _ = User.objects.get_or_create(
            username="bench-manager", defaults={"role": Role.LEARNING_MANAGER, "campus": campus}
        )
        return owner

    def seed(self, total: int, due: int, owner: User, now) -> None:
        """`total` open deadlines of every rule in turn, the first `due` of them past due; nothing else
        in the tables."""
        tables = [m._meta.db_table for m in (Delivery, Notification, Event, Deadline)]
        # Deadlines about students, named by label as the timeline names them (the file sits above the clock).
        subject_type = ContentType.objects.get_for_model(apps.get_model(audience.STUDENT)).pk
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
            cursor.execute(
                f"""
                INSERT INTO {Deadline._meta.db_table} (rule, subject_type_id, subject_id, occurrence,
                    campus_id, owner_id, opened_at, due_at, escalation_level, round, status, reason,
                    escalate_at)
                SELECT (%s::text[])[1 + g %% %s], %s, g, 1, %s, %s, %s,
                    CASE WHEN g <= %s THEN %s ELSE %s END, 0, 0, 'open', '', %s
                FROM generate_series(1, %s) AS g
                """,
                [
                    list(RULES),
                    len(RULES),
                    subject_type,
                    owner.campus_id,
                    owner.pk,
                    now - timedelta(days=2),
                    due,
                    now - timedelta(hours=1),
                    now + timedelta(days=30),
                    now + timedelta(days=60),
                    total,
                ],
            )
            cursor.execute(f"VACUUM ANALYZE {Deadline._meta.db_table}")

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
