"""Who may read what is data: each kind of record declares once who may open it — the selector its own
page fetches it through, so anyone else gets a 404 — and every list of rows about records (timeline
events, deadlines, notices) passes through `readable_q`. So no page shows a record, a name or a text
that the record's own page would refuse its reader.

The apps declare their records in their `ready()` (the timeline knows none of them):

    audience.declare("retention.case", cases_for)

A row about a record of a kind nobody declared follows its student's file (the "students.student"
declaration), or its campus when it is about no student.
"""

from collections.abc import Callable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from accounts import scope

# A model's label (lower case) -> the records of that model a user may open.
Selector = Callable[[object], QuerySet]
_SELECTORS: dict[str, Selector] = {}
STUDENT = "students.student"


def declare(label: str, selector: Selector) -> None:
    """Rows about a record of `label` are read by those to whom `selector(user)` gives the record."""
    _SELECTORS[label.lower()] = selector
    scope.forget_built()  # the conditions built before named the readers declared then


def declared() -> dict[str, Selector]:
    return dict(_SELECTORS)


# The students a user may see (their caseload; a teacher's taught students), declared by the students
# app (students.selectors.students_for), for the apps below it that link to a student's page.
_STUDENTS: list[Selector] = []


def declare_students(selector: Selector) -> None:
    _STUDENTS[:] = [selector]
    scope.forget_built()


def students_for(user) -> QuerySet:
    """The students the user may see, as the students app declared them."""
    return _STUDENTS[0](user)


def _opens(selector: Selector, user, outer: str) -> Q | Exists:
    """The row's record (its id in the column `outer`) is among those the selector gives the user."""
    records = selector(user)
    if records.query.is_empty():
        return scope.NOTHING
    if not records.query.where:
        # Every record of the kind (a company-wide reader): the row's own is among them. Asking
        # would cost a pass over the whole table (100,000 students) for every list of such a reader.
        return Q()
    return Exists(records.filter(pk=OuterRef(outer)))


def readable_q(user, *, prefix: str = "") -> Q:
    """Rows about records the user may open. The rows have `subject_type`, `subject_id`, `student` and
    `campus` fields (events and deadlines); `prefix` reaches them through a relation, e.g.
    `readable_q(user, prefix="deadline__")` for notices.

    A page asks it several times (its lists, the navigation's counts): built once (scope.built_once).
    """
    if not (user and user.is_authenticated and user.is_active):
        return scope.NOTHING
    return scope.built_once(user, "readable_q", lambda: _readable_q(user, prefix), prefix)


def _readable_q(user, prefix: str) -> Q:
    readable = Q(pk__in=[])
    kinds = []
    for label, selector in _SELECTORS.items():
        kind = ContentType.objects.get_for_model(apps.get_model(label)).pk
        kinds.append(kind)
        readable |= Q(**{f"{prefix}subject_type_id": kind}) & _opens(selector, user, f"{prefix}subject_id")
    undeclared = ~Q(**{f"{prefix}subject_type_id__in": kinds})
    if STUDENT in _SELECTORS:
        of_student = Q(**{f"{prefix}student__isnull": False}) & _opens(
            _SELECTORS[STUDENT], user, f"{prefix}student_id"
        )
    else:
        of_student = scope.NOTHING
    of_campus = Q(**{f"{prefix}student__isnull": True}) & scope.campus_q(user, campus=f"{prefix}campus")
    return readable | undeclared & (of_student | of_campus)


def readable_about_student_q(user, student_id: int, rows: list[QuerySet]) -> Q:
    """readable_q for rows about one student (their `student` is that student), as plain lists of
    ids: the records that `rows` (querysets of such rows: the student's events, their deadlines) are
    about are asked of the selectors once, in one query, so each query of the student's page carries
    no subquery to build, compile or run. The same rows as readable_q, for rows of that student only
    (a row about no student follows its campus there)."""
    if not (user and user.is_authenticated and user.is_active):
        return scope.NOTHING
    kinds = {label: ContentType.objects.get_for_model(apps.get_model(label)).pk for label in _SELECTORS}
    opened = []
    for label, selector in _SELECTORS.items():
        kind = kinds[label]
        subjects = [source.filter(subject_type_id=kind).order_by().values("subject_id") for source in rows]
        if label == STUDENT:  # the student's own file: whether the rows about no declared record show
            subjects.append(apps.get_model(label).objects.filter(pk=student_id).order_by().values("pk"))
        if not subjects:
            continue
        # One IN over a union, which the primary key's index serves (an OR of INs reads every record).
        records = selector(user).filter(pk__in=subjects[0].union(*subjects[1:])).order_by()
        opened.append(records.annotate(audience_kind=Value(kind)).values_list("audience_kind", "pk"))
    allowed: dict[int, list[int]] = {}
    if opened:
        for kind, pk in opened[0].union(*opened[1:], all=True):
            allowed.setdefault(kind, []).append(pk)
    readable = Q(pk__in=[])
    for kind, pks in allowed.items():
        readable |= Q(subject_type_id=kind, subject_id__in=pks)
    if STUDENT in kinds and student_id in allowed.get(kinds[STUDENT], ()):  # the student's file is open
        readable |= ~Q(subject_type_id__in=list(kinds.values()))
    return readable
