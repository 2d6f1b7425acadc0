"""The stage summary (阶段性总结, L2): a draft assembled from the records of the student's first weeks
— the lessons taught, missed and cancelled, the scores and their trend, the callbacks, the concerns
and what was done — which the manager edits, prints for the parent and files.

Filed with the day the parent got it, the summary is a document of the student's file (kind
STAGE_SUMMARY, a Word file of the text, so the campus office can open it again) and meets L2 the way
any stage summary given to the parent does: students.services.document_add announces it, and
plans.document_clocks_check meets the clock."""

import io
import uuid
import zipfile
from datetime import date
from xml.sax.saxutils import escape

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from config.bounds import TEXT_MAX_LENGTH
from students.models import Document, Student
from students.services import can_edit_file, document_add

from .models import Callback
from .selectors import StageFacts

# The parts of a stage summary, in the order it reads.
PARTS = ("attendance", "scores", "callbacks", "concerns", "next_steps")


def part_titles() -> dict[str, str]:
    return {
        "attendance": _("Attendance"),
        "scores": _("Scores and their trend"),
        "callbacks": _("Callbacks"),
        "concerns": _("Concerns and what was done"),
        "next_steps": _("Next steps"),
    }


# The draft


def stage_summary_draft(facts: StageFacts, student: Student) -> dict[str, str]:
    """The text of each part, assembled from the records, for the manager to edit."""
    texts = {
        "attendance": _attendance_text(facts),
        "scores": _scores_text(facts),
        "callbacks": _callbacks_text(facts),
        "concerns": _concerns_text(facts),
        "next_steps": (
            student.measures or (facts.callbacks[0].next_steps if facts.callbacks else "")
        ).strip(),
    }
    return {name: Truncator(text).chars(TEXT_MAX_LENGTH) for name, text in texts.items()}


def _next_steps_text(facts: StageFacts, student: Student) -> str:
    """The measures of the student's file, else what the latest callback said comes next."""
    latest = facts.callbacks[0].next_steps if facts.callbacks else ""
    return (student.measures or latest).strip()


def _day(day) -> str:
    return f"{day:%m-%d}"


def _short(text: str) -> str:
    """A record's text in the draft: its first 120 characters (the whole is in the file)."""
    return Truncator(" ".join(text.split())).chars(120)


def _number(value) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _attendance_text(facts: StageFacts) -> str:
    figures = facts.attendance
    lines = [
        _(
            "%(first)s – %(last)s: lessons taught %(done)d (%(hours)s class hours); missed %(absent)d; "
            "cancelled %(cancelled)d."
        )
        % {
            "first": f"{facts.first:%Y-%m-%d}",
            "last": f"{facts.last:%Y-%m-%d}",
            "done": figures.done,
            "hours": _number(figures.hours),
            "absent": figures.absent,
            "cancelled": figures.cancelled,
        }
    ]
    for lesson in facts.absences:
        found = getattr(lesson, "absence_reason", None)
        lines.append(
            _("Missed on %(day)s (%(subject)s): %(reason)s")
            % {
                "day": _day(timezone.localtime(lesson.starts_at)),
                "subject": lesson.subject,
                "reason": found.reason if found else _("the reason is still to be found out"),
            }
        )
    return "\n".join(lines)


def _trend_words(trend) -> str:
    if trend.direction == "up":
        return _("up %(points)s percentage points") % {"points": _number(trend.change)}
    if trend.direction == "down":
        return _("down %(points)s percentage points") % {"points": _number(-trend.change)}
    if trend.direction == "steady":
        return _("steady")
    return _("one score so far")


def _score_text(score) -> str:
    full = _number(score.full_marks)
    shown = _number(score.score) if full == "100" else f"{_number(score.score)}/{full}"
    return f"{_day(score.exam_date)} {score.get_kind_display()} {shown}"


def _scores_text(facts: StageFacts) -> str:
    if not facts.trends:
        return _("No exam score was recorded in this period.")
    return "\n".join(
        _("%(subject)s: %(scores)s — %(trend)s.")
        % {
            "subject": trend.subject,
            "scores": " → ".join(_score_text(score) for score in trend.scores),
            "trend": _trend_words(trend),
        }
        for trend in facts.trends
    )


def _callbacks_text(facts: StageFacts) -> str:
    if not facts.callbacks_total:
        return _("No callback was recorded in this period.")
    counts = facts.callback_counts
    lines = [
        _(
            "Talks recorded: %(total)d — with the parent %(parent)d, the student %(student)d, the "
            "teachers %(teacher)d."
        )
        % {
            "total": facts.callbacks_total,
            "parent": counts.get(Callback.With.PARENT, 0),
            "student": counts.get(Callback.With.STUDENT, 0),
            "teacher": counts.get(Callback.With.TEACHER, 0),
        }
    ]
    for callback in facts.callbacks:
        talk = f"{callback.get_with_whom_display()}·{callback.get_channel_display()}"
        line = f"{_day(timezone.localtime(callback.at))} {talk}：{_short(callback.summary)}"
        if callback.concerns:
            line += " " + _("The family's concerns: %(text)s") % {"text": _short(callback.concerns)}
        lines.append(line)
    return "\n".join(lines)


def _concerns_text(facts: StageFacts) -> str:
    if not facts.concerns:
        return _("No concern was raised in this period.")
    lines = []
    for concern in facts.concerns:
        raised = _day(timezone.localtime(concern.raised_at))
        line = f"{raised} {concern.get_kind_display()}：{_short(concern.description)}"
        if concern.handled_at:
            done = [
                _("analysis: %(text)s") % {"text": _short(concern.analysis)},
                _("the parent was told: %(text)s") % {"text": _short(concern.parent_advice)},
                _("with the student: %(text)s") % {"text": _short(concern.student_talk)},
            ]
            line += " " + _("What was done: %(done)s") % {"done": "；".join(done)}
        else:
            line += " " + _("(not handled yet)")
        lines.append(line)
    if facts.concerns_total > len(facts.concerns):
        lines.append(_("And %(n)d more.") % {"n": facts.concerns_total - len(facts.concerns)})
    return "\n".join(lines)


# The filed document


def stage_summary_title(first: date, last: date) -> str:
    days = {"first": f"{first:%Y-%m-%d}", "last": f"{last:%Y-%m-%d}"}
    return _("Stage summary %(first)s – %(last)s") % days


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    "</Relationships>"
)
# A4 with margins of 2 cm, in twentieths of a point.
A4_SECTION = (
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
    '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" '
    'w:gutter="0"/></w:sectPr>'
)


def _paragraph(text: str, *, bold: bool = False, size: int = 0, centred: bool = False) -> str:
    """One paragraph of a Word document; the text's line breaks kept."""
    properties = '<w:pPr><w:jc w:val="center"/></w:pPr>' if centred else ""
    run = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "")
    run = f"<w:rPr>{run}</w:rPr>" if run else ""
    lines = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n"))
    return f"<w:p>{properties}<w:r>{run}{lines}</w:r></w:p>"


def stage_summary_docx(*, student: Student, first: date, last: date, texts: dict[str, str]) -> bytes:
    """The summary as a Word file (.docx, A4): a zip of the three parts Word needs, nothing more."""
    manager = student.manager.display_name if student.manager else ""
    body = [
        _paragraph(student.campus.name, centred=True),
        _paragraph(_("Stage summary"), bold=True, size=32, centred=True),
        _paragraph(
            _("Student: %(student)s · Learning manager: %(manager)s · %(first)s – %(last)s")
            % {"student": student.full_name, "manager": manager, "first": first, "last": last}
        ),
    ]
    for name, title in part_titles().items():
        if texts.get(name):
            body += [_paragraph(title, bold=True, size=26), _paragraph(texts[name])]
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>'
        f"{''.join(body)}{A4_SECTION}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELATIONSHIPS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


@transaction.atomic
def stage_summary_file(
    *,
    student: Student,
    actor,
    request_key: uuid.UUID,
    since: date,
    until: date,
    given_to_parent_on: date,
    attendance: str = "",
    scores: str = "",
    callbacks: str = "",
    concerns: str = "",
    next_steps: str = "",
) -> tuple[Document, bool]:
    """L2: the stage summary the parent got on `given_to_parent_on`, filed in the student's file as a
    document; filing it meets L2. The same form sent twice (the same `request_key`) files one
    summary: the second answer is the first document and False."""
    if not can_edit_file(actor, student):
        raise PermissionDenied(_("Only the student's learning manager and those above record this."))
    Student.objects.select_for_update().get(pk=student.pk)  # one request of the form at a time
    sent = Document.objects.filter(uploaded_by=actor, request_key=request_key).first()
    if sent is not None:
        return sent, False
    texts = {
        "attendance": attendance,
        "scores": scores,
        "callbacks": callbacks,
        "concerns": concerns,
        "next_steps": next_steps,
    }
    texts = {name: (text or "").strip() for name, text in texts.items()}
    if not any(texts.values()):
        raise ValidationError(_("Write the summary first."))
    if since > until:
        raise ValidationError(_("The end comes after the start."))
    content = stage_summary_docx(student=student, first=since, last=until, texts=texts)
    document = document_add(
        student=student,
        actor=actor,
        kind=Document.Kind.STAGE_SUMMARY,
        file=ContentFile(content, name=f"stage-summary-{until:%Y%m%d}.docx"),
        title=stage_summary_title(since, until),
        given_to_parent_on=given_to_parent_on,
        request_key=request_key,
    )
    return document, True
