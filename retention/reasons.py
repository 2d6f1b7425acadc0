"""Why students are lost (失单原因, PROCESS.md), group and item: every retained or lost case names
some, so the campus sees where it loses students."""

from django.utils.translation import gettext_lazy as _

from students.models import LossReason

G = LossReason
ITEMS = {
    "attitude_hard": (G.SERVICE_ATTITUDE, _("Hard attitude to parents")),
    "attitude_passive": (
        G.SERVICE_ATTITUDE,
        _("No proactive contact with consultant, academic affairs, teaching research"),
    ),
    "attitude_school_head": (G.SERVICE_ATTITUDE, _("Acting as a school head teacher, not a service role")),
    "work_file": (
        G.THE_WORK,
        _("Did not know the student's personality or needs (thin file, too few talks)"),
    ),
    "work_handover": (G.THE_WORK, _("Late or inaccurate handover from the consultant")),
    "work_documents": (G.THE_WORK, _("Course schedule or tutoring plan not given in time")),
    "work_plan": (G.THE_WORK, _("Learning-management plan not done well")),
    "work_callbacks": (G.THE_WORK, _("Callback log missing or thin")),
    "rel_first_talk": (G.RELATIONSHIP, _("No talk before the first lesson")),
    "rel_lessons": (G.RELATIONSHIP, _("No follow-up before and after lessons")),
    "rel_feedback": (G.RELATIONSHIP, _("No timely feedback to the parent")),
    "rel_callbacks": (G.RELATIONSHIP, _("No regular callbacks")),
    "rel_absences": (G.RELATIONSHIP, _("Absences not looked into")),
    "rel_requests": (G.RELATIONSHIP, _("Requests not answered in time")),
    "rel_purpose": (G.RELATIONSHIP, _("The true purpose of the tutoring not known")),
    "rel_signs": (G.RELATIONSHIP, _("Refund signs not acted on")),
    "dept_consultant": (G.DEPARTMENTS, _("Handover problems with the consultant")),
    "dept_teacher_told": (G.DEPARTMENTS, _("The teacher not told about the student")),
    "dept_teaching": (G.DEPARTMENTS, _("Teaching problems not solved with the teacher")),
    "dept_teacher_change": (G.DEPARTMENTS, _("Teacher changes not passed on by academic affairs")),
    "dept_schedule": (G.DEPARTMENTS, _("Schedule changes not told to the family")),
    "dept_preparation": (G.DEPARTMENTS, _("Lesson preparation not done")),
    "personal_change": (G.PERSONAL, _("A teacher, time or place change not told to the family in time")),
    "other": (G.OTHER, _("Other")),
}


def grouped_choices() -> list[tuple]:
    """Choices for a form: each group with its items."""
    groups: dict = {}
    for code, (group, label) in ITEMS.items():
        groups.setdefault(group, []).append((code, label))
    return [(group.label, items) for group, items in groups.items()]
