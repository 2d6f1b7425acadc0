"""Every URL pattern of the product (from the resolver), and how the fuzz reaches each: who signs in,
which records its URL kwargs name, on which page its form is shown.

The list of endpoints is the resolver's; only how to build each one is written here. A URL pattern
this registry cannot build fails the fuzz (test_every_url_pattern_can_be_built), so a new form
cannot escape it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from followups.forms import DocumentGivenForm, ExamLearnedForm, NoScoreForm, ReasonForm, StageSummaryForm
from handover import views as handover_views
from refunds import views as refunds_views
from retention import views as retention_views
from students.forms import ContractImportConfirmForm
from timeline.models import ExportJob

# Django's own pages served by the admin site are not the product's forms.
SKIPPED_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Entry:
    role: str | None  # an attribute of the `company` fixture; None: signed out
    kwargs: Callable = lambda w: {}
    host: Callable | None = None  # the page that shows the form (default: the URL itself)
    # A <slug> dispatched through a table of the view: its kwarg, the table, a role per slug.
    slug: str = ""
    table: Callable = dict  # the view's own table of slugs
    slugs: dict = field(default_factory=dict)  # slug -> role
    # The view's form, for a page that does not show it in the world's state: (slug, world) -> form.
    form: Callable | None = None


def _student(w):
    return {"pk": w.student.pk}


def _followup(w):
    return {"student_id": w.student.pk}


def detail(w, kwargs=None):
    return reverse("students:detail", args=[w.student.pk])


def _export_job(w):
    """A built export of the manager's (timeline.export_jobs), made once for the world."""
    if not hasattr(w, "export_job"):
        w.export_job = ExportJob.objects.create(
            user=w.company.manager_a1,
            address="/students/?format=xlsx",
            title="学生",
            language="zh-hans",
            status=ExportJob.Status.DONE,
        )
        w.export_job.file.save(f"exports/{w.export_job.user_id}/fuzz.xlsx", ContentFile(b"PK"), save=True)
    return w.export_job


def case_of(w, action):
    stage = retention_views.ACTIONS[action].stage
    return w.case if stage == "warning" else w.lost_case


RETENTION_ROLES = {
    "prepare": "manager_a1",
    "comment": "supervisor_a",
    "stabilise": "manager_a1",
    "escalate": "manager_a1",
    "rescue": "supervisor_a",
    "retained": "supervisor_a",
    "failed": "supervisor_a",
    "report": "supervisor_a",
    "director": "director_a",
    "analysis": "director_a",
    "instruction": "president",
    "execution": "director_a",
}
REFUND_ROLES = {"decide": "director_a", "resubmit": "supervisor_a", "paid": "finance"}
HANDOVER_ROLES = dict.fromkeys(handover_views.STEPS, "manager_a1")
PRECLASS_ROLES = dict.fromkeys(handover_views.PRECLASS_STEPS, "manager_a1")

REGISTRY: dict[str, Entry] = {
    "home": Entry("manager_a1"),
    "people": Entry("director_a"),
    "login": Entry(None),
    "logout": Entry("manager_a1", host=lambda w, k: reverse("home")),
    "password_change": Entry("manager_a1"),
    "password_change_done": Entry("manager_a1"),
    "set_language": Entry("manager_a1", host=lambda w, k: reverse("home")),
    # students
    "students:list": Entry("manager_a1"),
    "students:contract_new": Entry("consultant_a"),
    "students:import_new": Entry("consultant_a"),
    "students:import": Entry("consultant_a", lambda w: {"pk": w.contract_import.pk}),
    "students:import_template": Entry("consultant_a", host=lambda w, k: reverse("students:import_new")),
    # The world's import is done: the button is not on its page, so the form comes from its class.
    "students:import_confirm": Entry(
        "consultant_a",
        lambda w: {"pk": w.contract_import.pk},
        host=lambda w, k: reverse("students:import", kwargs=k),
        form=lambda slug, w: ContractImportConfirmForm(job=w.contract_import),
    ),
    "students:timetable": Entry("scheduler_a"),
    "students:assign": Entry("supervisor_a", _student),
    "students:detail": Entry("manager_a1", _student),
    "students:file_edit": Entry("manager_a1", _student),
    "students:edit": Entry("manager_a1", _student),
    "students:contract_renew": Entry("consultant_a", _student),
    "students:guardian_new": Entry("manager_a1", _student),
    "students:guardian_edit": Entry(
        "manager_a1", lambda w: {"pk": w.student.pk, "guardian_id": w.guardian.pk}
    ),
    # Before the handover is signed, the consultant who signed the contract corrects it.
    "students:contract_edit": Entry(
        "consultant_a", lambda w: {"pk": w.student.pk, "contract_id": w.student.contracts.get().pk}
    ),
    "students:guardian_contacts": Entry(
        "manager_a1", lambda w: {"pk": w.student.pk, "guardian_id": w.guardian.pk}, host=detail
    ),
    "students:schedule": Entry("manager_a1", _student),
    "students:record": Entry("manager_a1", _student),
    "students:lessons_new": Entry("scheduler_a", _student),
    "students:lesson_mark": Entry(
        "teacher_a", lambda w: {"pk": w.student.pk, "lesson_id": w.lesson_begun.pk}, host=detail
    ),
    "students:lesson_edit": Entry(
        "scheduler_a", lambda w: {"pk": w.student.pk, "lesson_id": w.lesson_to_come.pk}
    ),
    "students:document_new": Entry("manager_a1", _student),
    "students:document": Entry("manager_a1", lambda w: {"pk": w.student.pk, "document_id": w.document.pk}),
    # handover
    "handover:list": Entry("manager_a1"),
    "handover:weekend": Entry("manager_a1"),
    "handover:weekend_confirm": Entry("manager_a1", host=lambda w, k: reverse("handover:weekend")),
    "handover:preclass": Entry("manager_a1", lambda w: {"student_id": w.newcomer.pk}),
    "handover:preclass_step": Entry(
        "manager_a1",
        lambda w: {"student_id": w.newcomer.pk},
        host=lambda w, k: reverse("handover:preclass", args=[w.newcomer.pk]),
        slug="step",
        table=lambda: handover_views.PRECLASS_STEPS,
        slugs=PRECLASS_ROLES,
    ),
    "handover:detail": Entry("manager_a1", lambda w: {"pk": w.handover.pk}),
    "handover:item": Entry("manager_a1", lambda w: {"item_id": w.paper_item.pk}),
    "handover:preclass_work": Entry("manager_a1", lambda w: {"pre_id": w.newcomer.preclass.pk}),
    "handover:item_received": Entry(
        "manager_a1",
        lambda w: {"pk": w.handover.pk, "item_id": w.paper_item.pk},
        host=lambda w, k: reverse("handover:detail", args=[w.handover.pk]),
    ),
    "handover:step": Entry(
        "manager_a1",
        lambda w: {"pk": w.handover.pk},
        host=lambda w, k: reverse("handover:detail", args=[w.handover.pk]),
        slug="step",
        table=lambda: handover_views.STEPS,
        slugs=HANDOVER_ROLES,
        form=lambda step, w: (form := handover_views.STEPS[step][0]) and form(handover=w.handover),
    ),
    # follow-up
    "followups:list": Entry("manager_a1"),
    "followups:callback_new": Entry("manager_a1", _followup),
    "followups:score_new": Entry("manager_a1", _followup),
    "followups:exams": Entry("director_a"),
    "followups:exam_for_student": Entry("manager_a1", _followup),
    "followups:exam_no_score": Entry(
        "manager_a1",
        lambda w: {"sitting_id": w.sitting.pk},
        host=lambda w, k: reverse("followups:exams"),
        form=lambda s, w: ReasonForm(),
    ),
    "followups:exam_learned": Entry(
        "manager_a1",
        lambda w: {"student_id": w.student.pk, "sitting_id": w.sitting.pk},
        host=detail,
        form=lambda s, w: ExamLearnedForm(),
    ),
    "followups:student_exam_no_score": Entry(
        "manager_a1",
        lambda w: {"student_id": w.student.pk, "sitting_id": w.sitting.pk},
        host=detail,
        form=lambda s, w: NoScoreForm(),
    ),
    "followups:growth_new": Entry("manager_a1", _followup),
    "followups:concern_new": Entry("teacher_a", _followup),
    "followups:concern_handle": Entry(
        "manager_a1", lambda w: {"student_id": w.student.pk, "concern_id": w.concern.pk}, host=detail
    ),
    "followups:renewal_new": Entry("manager_a1", _followup),
    "followups:stage_summary": Entry("manager_a1", _followup),
    # Its button sends the draft's form to the printed sheet (formaction): the fields are the form's.
    "followups:stage_summary_print": Entry(
        "manager_a1",
        _followup,
        host=lambda w, k: reverse("followups:stage_summary", args=[w.student.pk]),
        form=lambda s, w: StageSummaryForm(filing=False),
    ),
    "followups:pause": Entry("manager_a1", _followup, host=detail),
    "followups:resume": Entry(
        "manager_a1", _followup, host=detail, form=lambda s, w: ReasonForm(required=False)
    ),
    "followups:lesson_talk": Entry(
        "manager_a1", lambda w: {"student_id": w.student.pk, "lesson_id": w.lesson_begun.pk}
    ),
    "followups:change_told": Entry(
        "manager_a1", lambda w: {"student_id": w.student.pk, "lesson_id": w.lesson_to_come.pk}, host=detail
    ),
    "followups:document_given": Entry(
        "manager_a1",
        lambda w: {"student_id": w.student.pk, "document_id": w.document.pk},
        host=detail,
        form=lambda s, w: DocumentGivenForm(),
    ),
    "followups:document_file": Entry(
        "manager_a1", lambda w: {"student_id": w.student.pk, "document_id": w.document.pk}, host=detail
    ),
    "followups:absence_reason_new": Entry(
        "manager_a1", lambda w: {"student_id": w.student.pk, "lesson_id": w.lesson_missed.pk}, host=detail
    ),
    # retention
    "retention:list": Entry("supervisor_a"),
    "retention:analysis": Entry("director_a"),
    "retention:new": Entry("head_teacher_a", _followup),
    "retention:detail": Entry("manager_a1", lambda w: {"pk": w.case.pk}),
    "retention:print": Entry("supervisor_a", lambda w: {"pk": w.lost_case.pk}),
    "retention:act": Entry(
        "manager_a1",
        lambda w: {},  # the case depends on the action's stage: see kwargs_for
        host=lambda w, k: reverse("retention:detail", args=[k["pk"]]),
        slug="action",
        table=lambda: retention_views.ACTIONS,
        slugs=RETENTION_ROLES,
        form=lambda action, w: retention_views.ACTIONS[action].form(),
    ),
    # refunds
    "refunds:list": Entry("director_a"),
    "refunds:new": Entry("supervisor_a", lambda w: {"case_id": w.lost_case_without_refund.pk}),
    "refunds:detail": Entry("director_a", lambda w: {"pk": w.refund.pk}),
    "refunds:print": Entry("director_a", lambda w: {"pk": w.refund.pk}),
    "refunds:scan": Entry("director_a", lambda w: {"pk": w.refund.pk}),
    "refunds:receipt": Entry("director_a", lambda w: {"pk": w.refund.pk}),
    "refunds:attachment": Entry(
        "director_a", lambda w: {"pk": w.refund.pk, "attachment_id": w.refund_attachment.pk}
    ),
    "refunds:act": Entry(
        "director_a",
        lambda w: {"pk": w.refund.pk},
        host=lambda w, k: reverse("refunds:detail", args=[w.refund.pk]),
        slug="action",
        table=lambda: refunds_views.ACTIONS,
        slugs=REFUND_ROLES,
        form=lambda action, w: refunds_views.ACTIONS[action][0](),
    ),
    # deadlines and the access log
    "deadlines:inbox": Entry("manager_a1"),
    "deadlines:list": Entry("supervisor_a"),
    "deadlines:notification_read": Entry(
        "manager_a1", lambda w: {"pk": w.notification.pk}, host=lambda w, k: reverse("deadlines:inbox")
    ),
    "deadlines:notifications_read_all": Entry("manager_a1", host=lambda w, k: reverse("deadlines:inbox")),
    "deadlines:notice_choices": Entry("manager_a1"),
    "deadlines:waive": Entry("director_a", lambda w: {"pk": w.deadline.pk}),
    "timeline:access_log": Entry("director_a"),
    "export_job": Entry("manager_a1", lambda w: {"pk": _export_job(w).pk}),
    # reports: read-only pages whose forms are GET filters
    "reports:index": Entry("president"),
    "reports:punctuality": Entry("supervisor_a"),
    "reports:deadlines": Entry("director_a"),
    "reports:renewal": Entry("director_a"),
    "reports:renewals": Entry("supervisor_a"),
    "reports:retention": Entry("president"),
    "reports:cases": Entry("director_a"),
    "reports:refunds": Entry("finance"),
    "reports:caseload": Entry("director_a"),
    # The intake API: a key, not a session, reaches it (tests/intake/ posts JSON with one); signed
    # out, a form's post answers 401.
    "api:contracts": Entry(None),
    "api:openapi-json": Entry(None),
    "api:api-root": Entry(None),  # django-ninja's: it answers 404, the OpenAPI document finds the paths by it
}


def url_patterns(patterns=None, namespace=""):
    """(name, route) of every URL pattern the resolver knows, outside the skipped namespaces."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from url_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name or str(pattern.pattern), str(pattern.pattern)


def endpoints() -> list[tuple[str, str]]:
    """(url name, slug) of every endpoint: a pattern dispatching on a <slug> counts once per slug of
    its view's table; a pattern the registry does not know is listed with slug None (and fails)."""
    found = []
    for name, _route in url_patterns():
        entry = REGISTRY.get(name)
        if entry is None:
            found.append((name, None))
        elif entry.slug:
            found.extend((name, slug) for slug in entry.table())
        else:
            found.append((name, ""))
    return found


def role_for(entry: Entry, slug: str) -> str | None:
    """Who signs in; a slug of the view's table that the registry gives no role raises KeyError."""
    return entry.slugs[slug] if entry.slug else entry.role


def kwargs_for(name: str, entry: Entry, slug: str, w) -> dict:
    kwargs = entry.kwargs(w)
    if name == "retention:act":
        kwargs = {"pk": case_of(w, slug).pk}
    if entry.slug:
        kwargs[entry.slug] = slug
    return kwargs
