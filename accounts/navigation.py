"""The sections of the product and who works in them, declared once for the navigation bar and homes.

An app lists its section here with the name of its URL; until that URL exists the section is
shown on the home page as "coming" and left out of the navigation bar.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Role

R = Role
CAMPUS_ROLES = frozenset(set(Role) - {R.FINANCE, R.PRESIDENT, R.ADMIN})


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    description: Promise
    url_name: str
    roles: frozenset

    @property
    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


SECTIONS = (
    Section(
        "students",
        _("Students"),
        _("The student file: profile, contract, class hours and the timeline of every step."),
        "students:list",
        frozenset(CAMPUS_ROLES) | {R.PRESIDENT},
    ),
    Section(
        "handover",
        _("Handover"),
        _("Receive new contracts from consultants and finish the pre-class work before the first lesson."),
        "handover:list",
        frozenset({R.LEARNING_MANAGER, R.SUPERVISOR, R.DIRECTOR, R.CONSULTANT}),
    ),
    Section(
        "timetable",
        _("Timetable"),
        _("The campus's lessons of a week by day and time, with the classrooms free in each slot."),
        "students:timetable",
        frozenset({R.SCHEDULER, R.DIRECTOR, R.SUPERVISOR, R.LEARNING_MANAGER}),
    ),
    Section(
        "followups",
        _("Follow-up"),
        _("Callbacks due this week, and the renewal list: hours left and when they run out."),
        "followups:list",
        frozenset({R.LEARNING_MANAGER, R.SUPERVISOR, R.DIRECTOR}),
    ),
    Section(
        "retention",
        _("Retention"),
        _("Warning signs, rescues, reports to the director and the responsibility analysis."),
        "retention:list",
        frozenset({R.LEARNING_MANAGER, R.SUPERVISOR, R.DIRECTOR, R.HEAD_TEACHER, R.PRESIDENT}),
    ),
    Section(
        "refunds",
        _("Refunds"),
        _("Refund applications, the finance review and the approvals."),
        "refunds:list",
        frozenset({R.SUPERVISOR, R.DIRECTOR, R.FINANCE, R.PRESIDENT}),
    ),
    Section(
        "reports",
        _("Reports"),
        _(
            "Punctuality, renewal, retention and class hours of a period beside the previous one, "
            "with the records behind every figure."
        ),
        "reports:index",
        # Finance reads the refunds of the retention report.
        frozenset({R.SUPERVISOR, R.DIRECTOR, R.PRESIDENT, R.FINANCE}),
    ),
    Section(
        "people",
        _("People"),
        _("Campuses, teams and colleagues, with their roles and phone numbers."),
        "people",
        frozenset(set(Role)),
    ),
    Section(
        "access_log",
        _("Access log"),
        _("Who opened which student file, document, scan or phone number."),
        "timeline:access_log",
        frozenset({R.DIRECTOR, R.ADMIN}),
    ),
    Section(
        "admin",
        _("Administration"),
        _("Users, campuses, teams and scheduled jobs."),
        "admin:index",
        frozenset({R.ADMIN}),
    ),
)

ROLE_DUTIES = {
    R.LEARNING_MANAGER: _(
        "You own your students from the signed contract to its end: the handover, the pre-class work, "
        "the student file, callbacks to parents, scores and growth records, the first response to "
        "warning signs, and renewal."
    ),
    R.SUPERVISOR: _(
        "You lead a team of learning managers: coach them on hard parent talks, lead the rescue when a "
        "family wants a refund, write the memo to the campus director and review the team's deadlines."
    ),
    R.DIRECTOR: _(
        "You run the campus: the second rescue attempt, the responsibility analysis after a loss, and "
        "refund approval at campus level."
    ),
    R.CONSULTANT: _(
        "You sign contracts and hand each new student's file to a learning manager on time, with the "
        "consultation report, the learning-situation analysis and the tutoring draft; you join rescues."
    ),
    R.TEACHER: _(
        "You teach, send teaching plans and lesson records, and are consulted after lessons and when a "
        "student gives cause for concern."
    ),
    R.HEAD_TEACHER: _("You lead the team work when a parent complains or a student's situation is unstable."),
    R.SCHEDULER: _(
        "You schedule lessons and classrooms and tell the learning manager at once when a teacher, time "
        "or place changes."
    ),
    R.FINANCE: _("You review refund applications and refund lists from every campus."),
    R.PRESIDENT: _("You give the final approval of refunds and your instructions on the directors' memos."),
    R.ADMIN: _("You keep users, campuses, teams and the working-day calendar up to date."),
}


def sections_for(user) -> list[Section]:
    """The sections of the user's role, in the order of the flow."""
    if not (user and user.is_authenticated):
        return []
    return [section for section in SECTIONS if user.role in section.roles]
