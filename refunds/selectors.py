from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import Role
from retention.models import Case
from retention.selectors import cases_for
from timeline import audience
from timeline.models import Event

from .models import Approval, Refund, RefundVersion
from .services import may_submit


def refunds_for(user) -> QuerySet[Refund]:
    """Finance and the president see every campus's refunds; supervisors and directors those of the
    cases they follow; nobody else any."""
    if user.role in (Role.FINANCE, Role.PRESIDENT):
        return Refund.objects.all()
    if user.role in (Role.SUPERVISOR, Role.DIRECTOR):
        return Refund.objects.filter(case__in=cases_for(user))
    return Refund.objects.none()


# A refund is under way from its submission until it is paid (being approved, returned, approved).
UNDER_WAY = (Refund.Status.APPROVING, Refund.Status.RETURNED, Refund.Status.APPROVED)


def students_refund_under_way() -> QuerySet:
    """The ids of the students whose refund is under way, as a subquery: their family is not asked
    about renewal meanwhile (registered as a hold of followups.renewal)."""
    return Refund.objects.filter(status__in=UNDER_WAY).values("student")


def refund_story(refund: Refund, user) -> QuerySet[Event]:
    """What happened to the refund, in order (the reader may open it: it came through refunds_for)."""
    events = Event.objects.filter(
        audience.readable_q(user),
        subject_type=ContentType.objects.get_for_model(Refund),
        subject_id=refund.pk,
    )
    return events.select_related("actor").order_by("at", "pk")


def queue(user, *, campus_id: int | None = None) -> QuerySet[Refund]:
    """What waits for the user: their approval step (a director: on their campus), or for finance
    also the approved refunds to pay; the longest waiting first; one campus's with `campus_id`. One
    query (the index refund_waiting)."""
    waiting = Q(waiting_role=user.role)
    if user.role == Role.DIRECTOR:
        waiting &= Q(campus_id=user.campus_id)
    if user.role == Role.FINANCE:
        waiting |= Q(status=Refund.Status.APPROVED)
    if user.role not in (Role.DIRECTOR, Role.FINANCE, Role.PRESIDENT):
        return Refund.objects.none()
    rows = refunds_for(user).filter(waiting).select_related("student", "campus")
    if campus_id:
        rows = rows.filter(campus_id=campus_id)
    return with_last_decision(rows.order_by("submitted_at", "pk"))


def with_last_decision(refunds: QuerySet[Refund]) -> QuerySet[Refund]:
    """Adds the refund's latest decision (`last_decision`, `last_step`, `last_comment`): with sent_back,
    the queue it returned to says why. Subqueries, counted for a page's rows."""
    last = Approval.objects.filter(refund=OuterRef("pk")).order_by("-at", "-pk")
    return refunds.annotate(
        last_decision=Subquery(last.values("decision")[:1]),
        last_step=Subquery(last.values("step")[:1]),
        last_comment=Subquery(last.values("comment")[:1]),
    )


def sent_back(refund: Refund, decision: str | None, step: int | None) -> bool:
    """Whether the refund waits where a rejection (the latest decision, of `step`) sent it: back with
    the applicant, or at the step before the rejecting one. Submitted again, or decided since, it is
    history (on the timeline)."""
    if decision != Approval.Decision.REJECTED or step is None:
        return False
    if refund.status == Refund.Status.RETURNED:
        return True
    return refund.status == Refund.Status.APPROVING and refund.step == step - 1


def mark_sent_back(refunds) -> None:
    """Sets each refund's `sent_back_why` (of with_last_decision's rows): the reason of the rejection
    that sent it where it waits, or ""."""
    for refund in refunds:
        back = sent_back(refund, refund.last_decision, refund.last_step)
        refund.sent_back_why = refund.last_comment if back else ""


def last_rejection(refund: Refund) -> Approval | None:
    """The rejection that sent the refund back to where it waits, with its author (for the page)."""
    last = refund.approvals.select_related("by").order_by("-at", "-pk").first()
    return last if last and sent_back(refund, last.decision, last.step) else None


def refund_rows(user, *, campus_id: int | None = None) -> QuerySet[Refund]:
    """Every refund the user may see for the list, newest first: served by the index
    refund_submitted (one campus's, `campus_id`: refund_campus_submitted), so a page of them reads a
    page of the index, however many there are."""
    rows = refunds_for(user).select_related("student", "campus")
    if campus_id:
        rows = rows.filter(campus_id=campus_id)
    return rows.order_by("-submitted_at", "-pk")


def case_refund(user, case) -> dict:
    """For the case page: the case's refund (when the user may see it), or whether they may submit one."""
    refund = refunds_for(user).filter(case=case).first()
    lost = case.outcome == Case.Outcome.LOST
    return {
        "refund": refund,
        "may_refund": lost and refund is None and may_submit(user, case),
    }


def refund_events(case) -> Q:
    """The timeline rows of the case's refund: the case's story tells them (retention/case_page.py)."""
    return Q(
        subject_type=ContentType.objects.get_for_model(Refund),
        subject_id__in=Refund.objects.filter(case=case).values("pk"),
    )


@dataclass
class Amendment:
    """What the latest version of a refund's list changed from the one before (for the approvers)."""

    before: RefundVersion
    after: RefundVersion
    changes: list[tuple[str, object, object]]  # (label, before, after) of each part that changed


def refund_versions(refund: Refund) -> list[RefundVersion]:
    """Every version of the refund's list, the first first, each with the files sent with it (its
    `attachments`, prefetched). Two queries, however many versions and files."""
    versions = refund.versions.select_related("by").prefetch_related("attachments")
    return list(versions.order_by("number"))


def amended(refund: Refund, versions: list[RefundVersion] | None = None) -> Amendment | None:
    """The latest amendment of the refund's list (from refund_versions' `versions` when given, with
    the files the amendment brought), or None when it was submitted once. One query, or none."""
    if versions is None:
        versions = list(refund.versions.select_related("by").order_by("-number")[:2])[::-1]
    if len(versions) < 2:
        return None
    before, after = versions[-2:]
    changes = [
        (RefundVersion._meta.get_field(name).verbose_name, getattr(before, name), getattr(after, name))
        for name in RefundVersion.KEPT
        if getattr(before, name) != getattr(after, name)
    ]
    return Amendment(before, after, changes)
