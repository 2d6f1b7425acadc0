"""What the apps above accounts contribute to a person's home and to the navigation bar: each app
registers, in its AppConfig.ready(), its work for the person (My day, the team's day, the follow-up
counts) and its counts for the navigation bar (late and due-today deadlines, unread notices). So the
home page and the navigation know none of the apps.

    # deadlines/apps.py
    home.register(home.Part("my_day", 10, roles=DEADLINE_OWNERS, context=my_day_context))
    home.count("deadlines", day_counts)

A part's context is a dict merged into the home page's context, in the order of `order`; a count is
a dict merged into the navigation's `nav_counts`. The home's layout stays in its template
(templates/accounts/home.html).

A queue is a list of things waiting for the person, each linking to the page where it is done, late
first; every queue renders the same way (templates/accounts/_queues.html) and its count shows on the
home's entry in the navigation bar:

    # refunds/apps.py
    home.queue(home.Queue("refunds", 20, frozenset({Role.DIRECTOR}), _("Refunds waiting for you"), items))

This module imports no models: an app's apps.py imports it at the top.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.utils import timezone

from config.prepared import prepared_cursor


@dataclass(frozen=True)
class Part:
    key: str  # names the part: one registration per key
    order: int  # lower first
    roles: frozenset  # the roles whose home shows it
    context: Callable[[object, datetime], dict]  # (user, now) -> the values the part of the page reads


@dataclass(frozen=True)
class Item:
    """One thing waiting for the person: what to do, about whom, where it is done, by when."""

    label: str
    about: str
    url: str
    due_at: datetime | None = None
    note: str = ""  # e.g. whose step it is, or the rule's id
    group: str = ""  # rows of one group (a manager, a campus) are shown together


# A queue shows at most this many items; its heading says how many there are in all.
QUEUE_LIMIT = 30


@dataclass(frozen=True)
class Queue:
    key: str  # one registration per key
    order: int  # lower first
    roles: frozenset  # the roles whose home shows it
    title: object  # a (lazy) translated heading
    items: Callable[[object, datetime], tuple[list[Item], int]]  # (user, now) -> (first QUEUE_LIMIT, total)
    empty: object = ""  # what the card says when nothing waits; no card when empty
    # The total alone, for the navigation bar: a number, or the queryset(s) whose rows it counts (the
    # navigation counts every queue's in one statement, count_together).
    count: Callable[[object, datetime], int | QuerySet | Sequence[QuerySet]] | None = None
    # Whether the morning digest counts it among what waits for the person (a queue that only
    # reports, such as this week's contracts, is not work waiting).
    waiting: bool = True


PARTS: dict[str, Part] = {}
COUNTS: dict[str, Callable[[object], dict]] = {}
QUEUES: dict[str, Queue] = {}


def register(part: Part) -> None:
    """Adds (or, for the same key, replaces: ready() may run twice in tests) a part of the home."""
    PARTS[part.key] = part


def count(key: str, counts: Callable[[object], dict]) -> None:
    """Adds counts for the navigation bar: `counts(user)` for a signed-in user, a dict of numbers or of
    querysets whose rows are counted (with the queues' in one statement)."""
    COUNTS[key] = counts


def queue(q: Queue) -> None:
    """Adds (or, for the same key, replaces) a queue of the home."""
    QUEUES[q.key] = q


@dataclass
class Shown:
    """A queue as the home shows it."""

    queue: Queue
    items: list[Item]
    total: int

    def late(self, now: datetime) -> int:
        return sum(1 for item in self.items if item.due_at and item.due_at <= now)


def queues_for(user, *, now: datetime) -> list[Shown]:
    """The user's queues, in order: late items first within each (each queue runs a fixed number of
    queries whatever the data size)."""
    shown, totals = [], {}
    for q in _queues_of(user):
        items, total = q.items(user, now)
        totals[q.key] = total
        # Rows of one group stay together (groups in the order the queue gave them), late first in each.
        groups = {g: n for n, g in enumerate(dict.fromkeys(i.group for i in items))}
        late_first = sorted(items, key=lambda i: (groups[i.group], i.due_at is None, i.due_at or now))
        if total or q.empty:
            shown.append(Shown(q, late_first[:QUEUE_LIMIT], total))
    user.queue_totals = totals  # this request's navigation reuses them (the empty ones' too)
    return shown


def _queues_of(user) -> list[Queue]:
    return [q for q in sorted(QUEUES.values(), key=lambda q: (q.order, q.key)) if user.role in q.roles]


def _total(q: Queue, user, now: datetime):
    """A queue's total for the navigation: a number, or a queryset (or several) to count."""
    known = getattr(user, "queue_totals", {})
    if q.key in known:
        return known[q.key]
    return q.count(user, now) if q.count else q.items(user, now)[1]


def count_together(querysets: dict[str, QuerySet], *, using: str = "default") -> dict[str, int]:
    """The number of rows of each queryset, in one statement whatever their number:
    SELECT (SELECT COUNT(*) FROM (<first>) q0), (SELECT COUNT(*) FROM (<second>) q1), ..."""
    counts, parts, params = {}, [], []
    for name, queryset in querysets.items():
        query = queryset if queryset.query.is_sliced else queryset.order_by()  # a slice: counted to its end
        if not (
            query.query.distinct or query.query.group_by or query.query.combinator or query.query.is_sliced
        ):
            query = query.values("pk")  # the rows' number needs none of their columns
        try:
            sql, query_params = query.query.sql_with_params()
        except EmptyResultSet:  # a condition no row meets (scope.NOTHING)
            counts[name] = 0
            continue
        parts.append((name, f"(SELECT COUNT(*) FROM ({sql}) AS q{len(parts)})"))
        params.extend(query_params)
    if parts:
        with prepared_cursor(using) as cursor:  # on every page: planned once a connection
            cursor.execute("SELECT " + ", ".join(sql for _name, sql in parts), params)
            counts.update(zip((name for name, _sql in parts), cursor.fetchone(), strict=True))
    return {name: counts[name] for name in querysets}


def home_context(user, *, now: datetime) -> dict:
    """The values of every part of the user's home, in order, and the user's queues."""
    context: dict = {"queues": queues_for(user, now=now)}
    for part in sorted(PARTS.values(), key=lambda p: (p.order, p.key)):
        if user.role in part.roles:
            context.update(part.context(user, now))
    return context


def nav_counts(user) -> dict:
    """The navigation's counts of a signed-in user ({} for anyone else): the apps' counts and the sum
    of the user's queues ("waiting"), every queryset among them counted in one statement."""
    if not (user and user.is_authenticated):
        return {}
    now = timezone.now()
    numbers: dict = {}
    to_count: dict[str, QuerySet] = {}
    for key in sorted(COUNTS):
        for name, value in COUNTS[key](user).items():
            if isinstance(value, QuerySet):
                to_count[name] = value
            else:
                numbers[name] = value
    queues = _queues_of(user)
    waiting = 0
    for q in queues:
        total = _total(q, user, now)
        if isinstance(total, QuerySet):
            total = [total]
        if isinstance(total, int):
            waiting += total
        else:
            to_count.update({f"queue:{q.key}:{n}": queryset for n, queryset in enumerate(total)})
    counted = count_together(to_count)
    numbers.update({name: n for name, n in counted.items() if not name.startswith("queue:")})
    if queues:
        numbers["waiting"] = waiting + sum(n for name, n in counted.items() if name.startswith("queue:"))
    return numbers
