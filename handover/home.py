"""The handover's queues on the homes (registered in HandoverConfig.ready(), see accounts.home).

- consultant: the paper-file items they owe (H5), and their new students' handovers they have not
  signed;
- scheduler: the assigned students still waiting for a first lesson (the pre-class page sets it).

Two queries each: the rows (select_related) and the count, from the user's scoped selectors.
"""

from datetime import datetime, time

from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import home
from accounts.models import Role
from deadlines.calendar import local_zone
from deadlines.models import ACTIVE, Deadline
from students.models import Student
from students.selectors import students_for

from .selectors import handovers_for, paper_items_for

LIMIT = home.QUEUE_LIMIT


def _paper_items_owed(user):
    return paper_items_for(user).filter(present=False, handover__consultant=user)


def consultant_paper_items(user, now) -> tuple[list[home.Item], int]:
    """The missing paper items of the consultant's handovers, by the due time of their H5 clock (or,
    without an open clock, the end of the promised day)."""
    clock = (
        Deadline.objects.filter(
            rule="H5",
            status__in=ACTIVE,
            subject_type__app_label="handover",
            subject_type__model="paperitem",
            subject_id=OuterRef("pk"),
        )
        .order_by("due_at")
        .values("due_at")[:1]
    )
    owed = _paper_items_owed(user).annotate(due=Subquery(clock))
    rows = owed.select_related("handover__student").order_by(
        F("due").asc(nulls_last=True), "promised_on", "pk"
    )[:LIMIT]
    items = []
    for item in rows:
        promised_end = datetime.combine(item.promised_on, time(23, 59), tzinfo=local_zone())
        items.append(
            home.Item(
                label=_("Bring the missing item: %(item)s") % {"item": item.name},
                about=item.handover.student.full_name,
                url=item.handover.get_absolute_url(),
                due_at=item.due or promised_end,
                note=_("promised for %(day)s") % {"day": item.promised_on.strftime("%m-%d")},
            )
        )
    return items, owed.count()


def _unsigned(user):
    return handovers_for(user).filter(consultant=user, consultant_signed_at=None)


def consultant_unsigned(user, now) -> tuple[list[home.Item], int]:
    """The consultant's handovers they have not signed yet, oldest first: ready to sign once the
    manager has made the call, the talk and the paper check."""
    unsigned = _unsigned(user)
    rows = unsigned.select_related("student", "manager", "contract").order_by("created_at", "pk")[:LIMIT]
    items = []
    for handover in rows:
        ready = None not in (handover.intro_call_at, handover.consultant_talk_at, handover.paper_checked_at)
        items.append(
            home.Item(
                label=_("Sign the handover")
                if ready
                else _("Handover in progress: sign it when it is ready"),
                about=f"{handover.student.full_name} · {handover.contract.number}",
                url=handover.get_absolute_url(),
                note=(
                    _("the manager %(name)s has signed")
                    if handover.manager_signed_at
                    else _("manager: %(name)s")
                )
                % {"name": handover.manager.display_name},
            )
        )
    return items, unsigned.count()


def _waiting_first_lesson(user):
    return students_for(user).filter(
        status=Student.Status.ONBOARDING, manager__isnull=False, preclass__isnull=True
    )


def scheduler_first_lessons(user, now) -> tuple[list[home.Item], int]:
    """The campus's students with a learning manager and no first lesson set yet, oldest first."""
    waiting = _waiting_first_lesson(user)
    rows = waiting.select_related("manager").order_by("created_at", "pk")[:LIMIT]
    items = [
        home.Item(
            label=_("Set the first lesson"),
            about=f"{student.full_name} · {student.grade}" if student.grade else student.full_name,
            url=reverse("handover:preclass", args=[student.pk]),
            note=_("manager: %(name)s") % {"name": student.manager.display_name},
        )
        for student in rows
    ]
    return items, waiting.count()


QUEUES = (
    home.Queue(
        "consultant_paper_items",
        40,
        frozenset({Role.CONSULTANT}),
        gettext_lazy("Paper-file items you owe"),
        consultant_paper_items,
        count=lambda user, now: _paper_items_owed(user),
    ),
    home.Queue(
        "consultant_unsigned",
        42,
        frozenset({Role.CONSULTANT}),
        gettext_lazy("Handovers waiting for your signature"),
        consultant_unsigned,
        count=lambda user, now: _unsigned(user),
    ),
    home.Queue(
        "scheduler_first_lessons",
        40,
        frozenset({Role.SCHEDULER}),
        gettext_lazy("Students waiting for a first lesson"),
        scheduler_first_lessons,
        count=lambda user, now: _waiting_first_lesson(user),
        empty=gettext_lazy("Every assigned student has a first lesson."),
    ),
)
