"""The pages the benchmark measures: every role's home, lists (with their filters) and detail pages, as
the demo's people see them; and their measure in the process (queries, time, SQL time).

A page is named by who reads it and what it is (`manager1 students:detail`, `director1
students:list?status=active`), not by the id in its address, so the same page can be found on the
company's data and on the demo's. Which pages a person has is tried, not declared: each candidate is
requested once, and those that answer anything but 200 (a role without that page: 403, 404, a
redirect) are left out and listed.
"""

import logging
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from deadlines.selectors import inbox_page
from handover.selectors import handovers_for
from refunds.selectors import refunds_for
from reports.periods import this_month
from retention.models import Case
from retention.selectors import cases_for
from students.forms import UNASSIGNED, CaseloadFilterForm
from students.models import Guardian
from students.selectors import students_for
from timeline.models import Event

# One person of each role: the demo's names, which the company keeps (benchmarks.company).
READERS = (
    "manager1",
    "supervisor1",
    "director1",
    "consultant1",
    "teacher1",
    "headteacher1",
    "scheduler1",
    "finance1",
    "president1",
    "admin",
)
# The filters, searches and second pages of the lists are measured for one reader of each breadth of
# scope: a caseload, a team, a campus, the company.
VARIANT_READERS = ("manager1", "supervisor1", "director1", "president1")
# The pages without an id: the homes and lists of the navigation, the inbox, the directory.
LISTS = (
    "home",
    "deadlines:inbox",
    "deadlines:notice_choices",
    "people",
    "students:list",
    "students:timetable",
    "handover:list",
    "handover:weekend",
    "followups:list",
    "followups:exams",
    "retention:list",
    "retention:analysis",
    "refunds:list",
    "timeline:access_log",
    "reports:index",
    "reports:punctuality",
    "reports:renewal",
    "reports:retention",
    "reports:caseload",
)
# The records behind the reports' figures, this month's: the late clocks, the students who reached
# the renewal threshold, the cases lost, the refunds applied for.
BEHIND_FIGURES = {
    "reports:deadlines": {"state": "late"},
    "reports:renewals": {},
    "reports:cases": {"figure": "lost"},
    "reports:refunds": {"figure": "applied"},
}


@dataclass(frozen=True)
class Page:
    key: str  # who and what, the same on every database
    username: str
    path: str
    base: str = ""  # a variant of this page's key: tried only if that page answers


@dataclass
class Measured:
    key: str
    username: str
    path: str
    status: int
    queries: int = 0
    ms: float = 0.0  # the whole request in the process, rendering included
    sql_ms: float = 0.0  # of which waiting for the database
    size: int = 0  # bytes of the page

    def as_dict(self) -> dict:
        return asdict(self)


def candidates(username: str) -> list[Page]:
    """The pages to try for one person: every list, and the detail pages of the records of their scope
    that are the fullest (the student with the longest timeline among the first of their caseload);
    for the VARIANT_READERS also the lists' filters, searches and second pages."""
    user = User.objects.get(username=username)
    variants = username in VARIANT_READERS
    pages = []

    def add(name: str, path: str, variant: str = "") -> None:
        base = f"{username} {name}" if variant else ""
        pages.append(Page(f"{username} {name}{variant}", username, path, base))

    for name in LISTS:
        add(name, reverse(name))
    month = this_month(timezone.localdate()).query()
    for name, query in BEHIND_FIGURES.items():
        add(name, f"{reverse(name)}?{urlencode({**month, **query})}")
    lists = reverse("students:list")
    if variants:
        filters = {
            "?status=active": "status=active",
            "?hours_below=10": "hours_below=10",
            "?page=2": "page=2",
        }
        filters["?manager=unassigned"] = f"manager={UNASSIGNED}"
        sort = CaseloadFilterForm.base_fields.get("sort")  # the list's sorts, when it has them
        for value, _label in getattr(sort, "choices", []):
            if value:
                filters[f"?sort={value}"] = f"sort={value}"
        if user.is_company_wide:
            filters["?campus=1"] = "campus=1"
        for variant, query in filters.items():
            add("students:list", f"{lists}?{query}", variant)
        add("followups:list", reverse("followups:list") + "?all=1", "?all=1")
        add("retention:list", reverse("retention:list") + "?closed=1", "?closed=1")
        second = inbox_page(user).next_before  # the inbox's older notices, when it has more than a page
        if second:
            add("deadlines:inbox", f"{reverse('deadlines:inbox')}?before={second}", "?older")
        add("timeline:access_log", reverse("timeline:access_log") + "?page=2", "?page=2")
        next_week = timezone.localdate() + timedelta(days=7)
        add("students:timetable", f"{reverse('students:timetable')}?week={next_week:%Y-%m-%d}", "?week=next")

    first = list(students_for(user).order_by("pk").values_list("pk", flat=True)[:200])
    richest = (
        Event.objects.filter(student_id__in=first)
        .values("student")
        .annotate(n=Count("pk"))
        .order_by("-n", "student")
    )
    student = richest[0]["student"] if richest else (first[0] if first else None)
    if student:
        add("students:detail", reverse("students:detail", args=[student]))
        add("students:schedule", reverse("students:schedule", args=[student]))
        add("handover:preclass", reverse("handover:preclass", args=[student]))
        if variants:  # the search box: by a guardian's phone number, by the beginning of a name
            phone = Guardian.objects.filter(student_id=student).values_list("phone", flat=True).first()
            if phone:
                add("students:list", f"{lists}?{urlencode({'q': phone})}", "?q=phone")
            name = students_for(user).filter(pk=student).values_list("full_name", flat=True).first()
            add("students:list", f"{lists}?{urlencode({'q': name[:2]})}", "?q=name")
    handover = handovers_for(user).order_by("manager_signed_at", "-pk").values_list("pk", flat=True).first()
    if handover:
        add("handover:detail", reverse("handover:detail", args=[handover]))
    case = (
        cases_for(user)
        .exclude(stage=Case.Stage.CLOSED)
        .order_by("-raised_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if case:
        add("retention:detail", reverse("retention:detail", args=[case]))
        add("retention:print", reverse("retention:print", args=[case]))
    refund = refunds_for(user).order_by("-submitted_at", "-pk").values_list("pk", flat=True).first()
    if refund:
        add("refunds:detail", reverse("refunds:detail", args=[refund]))
        add("refunds:print", reverse("refunds:print", args=[refund]))
    return pages


class QueryTimer:
    """Counts the queries of a request and the time spent in them (connection.execute_wrapper)."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.count += 1


def measure(pages: list[Page], *, repeat: int = 1) -> list[Measured]:
    """Each page requested in the process through Django's test client, signed in as its reader:
    once to warm up, then `repeat` times measured (the median time is kept)."""
    clients: dict[str, Client] = {}
    results, answered = [], set()
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # a page that is not the reader's warns: expected
    try:
        for page in pages:
            _measure_one(page, clients, results, answered, repeat)
    finally:
        quiet.setLevel(level)
    return results


def _measure_one(page: Page, clients: dict, results: list, answered: set, repeat: int) -> None:
    if page.base and page.base not in answered:
        return
    if page.username not in clients:
        clients[page.username] = Client(raise_request_exception=False)
        clients[page.username].force_login(User.objects.get(username=page.username))
    client = clients[page.username]
    response = client.get(page.path)  # warming up: the caches of the process, the database's pages
    if response.status_code != 200:
        results.append(Measured(page.key, page.username, page.path, response.status_code))
        return
    answered.add(page.key)
    runs = []
    for _ in range(max(1, repeat)):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            began = time.perf_counter()
            response = client.get(page.path)
            took = time.perf_counter() - began
        runs.append((took, timer, len(response.content), response.status_code))
    took, timer, size, status = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    results.append(
        Measured(
            page.key,
            page.username,
            page.path,
            status,
            queries=timer.count,
            ms=round(took * 1000, 1),
            sql_ms=round(timer.seconds * 1000, 1),
            size=size,
        )
    )


def discover_and_measure(*, readers=READERS, only: str = "", repeat: int = 1) -> list[Measured]:
    """The candidate pages of each reader present in the database, measured in the process; those
    whose key does not contain `only` are skipped."""
    present = set(User.objects.filter(username__in=readers).values_list("username", flat=True))
    pages = [p for r in readers if r in present for p in candidates(r) if only in p.key]
    return measure(pages, repeat=repeat)
