from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deadlines.rules import RULES

register = template.Library()

KIND_LABELS = {
    "deadline.opened": _("clock started"),
    "deadline.met": _("done"),
    "deadline.overdue": _("overdue"),
    "deadline.escalated": _("escalated"),
    "deadline.waived": _("waived"),
    "deadline.rescheduled": _("rescheduled"),
    "deadline.stopped": _("clock stopped"),
    "deadline.missed": _("missed: its event has begun"),
    "student.file_updated": _("personal file updated"),
    "student.created": _("student entered"),
    "contract.signed": _("contract signed"),
    "student.assigned": _("learning manager assigned"),
    "student.active": _("first lesson taught: now active"),
    "guardian.added": _("guardian added"),
    "student.corrected": _("student's details corrected"),
    "guardian.corrected": _("guardian's details corrected"),
    "contract.corrected": _("contract corrected"),
    "student.reactivated": _("active again: class hours corrected"),
    "callback.recorded": _("callback"),
    "score.recorded": _("exam score"),
    "absence.reason": _("reason for an absence found"),
    "growth.recorded": _("growth record"),
    "concern.raised": _("concern raised"),
    "concern.handled": _("concern handled"),
    "handover.started": _("handover started"),
    "handover.received": _("file received and reviewed"),
    "handover.intro_call": _("first call to the parent"),
    "handover.consultant_talk": _("talk with the consultant"),
    "handover.paper_checked": _("paper file checked"),
    "handover.item_received": _("missing paper item brought"),
    "handover.signed": _("file receipt signed"),
    "handover.signed_off": _("handover signed off by both"),
    "preclass.first_lesson_set": _("first lesson set"),
    "preclass.first_lesson_moved": _("first lesson moved"),
    "preclass.talk": _("talk with consultant and teacher"),
    "preclass.parent_told": _("parent told of the first lesson"),
    "preclass.documents_ready": _("course schedule and tutoring draft ready"),
    "weekend.confirmed": _("weekend timetable confirmed"),
    "lessons.scheduled": _("lessons scheduled"),
    "lesson.done": _("lesson done"),
    "lesson.absent": _("absent from a lesson"),
    "document.added": _("document filed"),
    "document.given": _("document given to the parent"),
    "document.filed": _("teacher's document filed by the manager"),
    "lesson.talk": _("talk after the lesson"),
    "lesson.changed": _("lesson changed"),
    "lesson.change_told": _("family told of the lesson change"),
    "student.paused": _("paused"),
    "student.resumed": _("back from a pause"),
    "student.ended": _("contract ended: all hours used"),
    "student.renewed": _("active again with a new contract"),
    "renewal.renewed": _("renewed"),
    "renewal.declined": _("renewal declined"),
    "renewal.undecided": _("renewal talk: not decided yet"),
    "case.opened": _("warning sign raised"),
    "case.sign": _("another warning sign"),
    "case.prepared": _("talk with the parent prepared"),
    "case.commented": _("supervisor's comment"),
    "case.stabilised": _("stabilised"),
    "case.escalated": _("escalated to the team's rescue"),
    "case.rescue": _("rescue recorded"),
    "case.retained": _("retained"),
    "case.rescue_failed": _("rescue failed: reports to the supervisor"),
    "case.reported": _("memo to the campus director"),
    "case.lost": _("lost: responsibility analysis"),
    "case.analysed": _("responsibility analysed"),
    "case.instruction": _("the president's instruction"),
    "case.closed": _("instruction carried out: case closed"),
    "refund.submitted": _("refund application submitted"),
    "refund.approved": _("refund step approved"),
    "refund.rejected": _("refund step rejected: back a step"),
    "refund.resubmitted": _("refund application submitted again"),
    "refund.paid": _("refund paid"),
    "student.refunded": _("refunded: the contract ends"),
    "lessons.cancelled": _("booked lessons cancelled"),
    "exam.added": _("exam entered in the calendar"),
}
# What of an event's details a reader needs, after its label.
DETAILS = {
    "contract.signed": "number",
    "student.assigned": "manager",
    "handover.item_received": "item",
    "lessons.scheduled": "subject",
    "lesson.done": "subject",
    "lesson.absent": "subject",
    "document.added": "title",
    "guardian.added": "name",
    "guardian.corrected": "name",
    "contract.corrected": "number",
    "document.given": "title",
    "document.filed": "title",
    "lesson.talk": "subject",
    "lesson.changed": "subject",
    "lesson.change_told": "subject",
    "renewal.renewed": "number",
    "exam.added": "school",
}
ESCALATION_TARGETS = {1: _("to the supervisor"), 2: _("to the campus director")}
# What an event's text (Event.reason) is, shown before it: a callback's summary, a score's analysis,
# why a clock was waived; NOTE for the kinds not named here.
NOTE = _("Note")
NOTE_LABELS = {
    "callback.recorded": _("Summary"),
    "growth.recorded": _("Summary"),
    "score.recorded": _("Analysis"),
    "concern.handled": _("Analysis"),
    "concern.raised": _("What was seen"),
    "case.opened": _("What was seen"),
    "case.sign": _("What was seen"),
    "lesson.talk": _("The parent said"),
    "case.stabilised": _("The talk with the parent"),
    "handover.intro_call": _("Call notes"),
    "handover.consultant_talk": _("Talk notes"),
    "preclass.talk": _("Talk notes"),
    "absence.reason": _("Reason"),
    "deadline.waived": _("Reason"),
    "deadline.stopped": _("Reason"),
    "deadline.missed": _("Reason"),
    "deadline.rescheduled": _("Reason"),
    "student.assigned": _("Reason"),
    "student.paused": _("Reason"),
    "student.resumed": _("Reason"),
    "student.ended": _("Reason"),
    "student.corrected": _("Reason"),
    "guardian.corrected": _("Reason"),
    "contract.corrected": _("Reason"),
    "student.reactivated": _("Reason"),
    "lesson.changed": _("Reason"),
    "preclass.first_lesson_moved": _("Reason"),
    "lessons.cancelled": _("Reason"),
    "refund.submitted": _("Reason"),
    "refund.approved": _("Comment"),
    "refund.rejected": _("Comment"),
    "refund.resubmitted": _("Comment"),
    "case.commented": _("Comment"),
    "case.escalated": _("Points of conflict"),
    "case.rescue": _("Rescue actions"),
    "case.rescue_failed": _("Lost-order report"),
    "case.reported": _("Memo"),
    "case.retained": _("The director's rescue"),
    "case.lost": _("The director's rescue"),
    "case.analysed": _("Lessons learned"),
    "case.instruction": _("Instruction"),
    "case.closed": _("What was done"),
}

# The fields a correction names (data["changes"]: field -> [old, new], as the corrector saw them).
CHANGED_FIELDS = {
    "full_name": _("full name"),
    "name": _("full name"),
    "gender": _("gender"),
    "school": _("school"),
    "grade": _("grade"),
    "relation": _("relation"),
    "phone": _("phone"),
    "phone_other": _("other phone"),
    "wechat": _("WeChat"),
    "best_time_to_call": _("best time to call"),
    "is_primary": _("main contact"),
    "number": _("contract number"),
    "signed_at": _("signed at"),
    "subjects": _("subjects"),
    "hours": _("class hours"),
    "unit_price": _("price per hour"),
    "amount": _("amount"),
}


def _number(value) -> str:
    """92.0 as 92, 92.5 as 92.5; anything else as it was stored."""
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _score(data: dict) -> str:
    """A score event's subject and value: 数学 92 分（满分 100）."""
    subject, score = data.get("subject", ""), data.get("score")
    if score in (None, ""):
        return subject
    values = {"subject": subject, "score": _number(score), "full_marks": _number(data.get("full_marks", 100))}
    return gettext("%(subject)s %(score)s of %(full_marks)s") % values


@register.filter
def describe(event) -> str:
    """One line for a timeline event, in the reader's language."""
    label = str(KIND_LABELS.get(event.kind, event.kind))
    rule = RULES.get(event.data.get("rule", ""))
    text = f"{rule.id} {rule.title} · {label}" if rule else label
    if event.kind == "score.recorded":
        detail = _score(event.data)
    elif event.kind == "student.paused" and event.data.get("expected_return_on"):
        detail = gettext("expected back on %(day)s") % {"day": event.data["expected_return_on"]}
    else:
        detail = event.data.get(DETAILS.get(event.kind, ""))
    if detail:
        text = f"{text} · {detail}"
    level = event.data.get("level")
    if level in ESCALATION_TARGETS:
        text = f"{text} {ESCALATION_TARGETS[level]}"
    return text


@register.filter
def changes(event) -> list[str]:
    """A correction's lines, one per field: "字段: 旧 → 新" (— for nothing); and an amount confirmed that
    is not hours × price, on a correction or a contract signed."""
    lines = []
    changed = event.data.get("changes")
    for name, values in changed.items() if isinstance(changed, dict) else ():
        if isinstance(values, list | tuple) and len(values) == 2:
            old, new = (str(value) if value not in (None, "") else "—" for value in values)
            lines.append(f"{CHANGED_FIELDS.get(name, name)}: {old} → {new}")
    if event.data.get("amount_confirmed"):
        expected = event.data.get("amount_expected", "")
        lines.append(
            gettext("amount confirmed as right (hours × price: %(expected)s)") % {"expected": expected}
        )
    return lines


@register.filter
def note_label(event) -> str:
    """What the event's text is (a summary, an analysis, a reason...), in the reader's language."""
    return str(NOTE_LABELS.get(event.kind, NOTE))
