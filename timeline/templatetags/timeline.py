from django import template
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
    "score.recorded": "subject",
    "document.given": "title",
    "document.filed": "title",
    "lesson.talk": "subject",
    "lesson.changed": "subject",
    "lesson.change_told": "subject",
    "renewal.renewed": "number",
}
ESCALATION_TARGETS = {1: _("to the supervisor"), 2: _("to the campus director")}


@register.filter
def describe(event) -> str:
    """One line for a timeline event, in the reader's language."""
    label = str(KIND_LABELS.get(event.kind, event.kind))
    rule = RULES.get(event.data.get("rule", ""))
    text = f"{rule.id} {rule.title} · {label}" if rule else label
    detail = event.data.get(DETAILS.get(event.kind, ""))
    if detail:
        text = f"{text} · {detail}"
    level = event.data.get("level")
    if level in ESCALATION_TARGETS:
        text = f"{text} {ESCALATION_TARGETS[level]}"
    return text
