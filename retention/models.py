from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    """One episode of a family wanting to leave, from the warning sign (E1) through the team's rescue
    (E2), the report to the campus director (E3) and the responsibility analysis (E4)."""

    class Stage(models.TextChoices):
        WARNING = "warning", _("Warning sign")
        RESCUE = "rescue", _("Rescue")
        REPORT = "report", _("Report to the director")
        RESPONSIBILITY = "responsibility", _("Responsibility analysis")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        STABILISED = "stabilised", _("Stabilised")
        RETAINED = "retained", _("Retained")
        LOST = "lost", _("Lost")

    class Source(models.TextChoices):
        MANAGER = "manager", _("Noticed by the learning manager")
        TEACHER = "teacher", _("Reported by a teacher")
        CONSULTANT = "consultant", _("Reported by the consultant")
        UNSTABLE = "unstable", _("An unstable situation (L8)")

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        INSTABILITY = "instability", _("Unstable situation")
        REFUND_INTENT = "refund_intent", _("Wants a refund")

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="cases", verbose_name=_("student")
    )
    campus = models.ForeignKey(
        "accounts.Campus", on_delete=models.PROTECT, related_name="+", verbose_name=_("campus")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("learning manager"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.WARNING)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    description = models.TextField(_("what was noticed"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    # E1: the manager stabilises the parent.
    facts = models.TextField(_("facts from the teacher and the consultant"), blank=True)
    talking_points = models.TextField(_("prepared talking points"), blank=True)
    supervisor_comment = models.TextField(_("the supervisor's comment"), blank=True)
    parent_talk = models.TextField(_("the talk with the parent and its result"), blank=True)
    conflict_points = models.TextField(_("the points of conflict"), blank=True)

    # E2: the team's rescue.
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True)
    director_invited = models.BooleanField(_("the campus director is invited"), default=False)
    rescue_actions = models.TextField(_("who did what in the rescue"), blank=True)
    lost_order_report = models.TextField(_("lost-order report (失单报告)"), blank=True)
    rescue_report = models.TextField(_("rescue report (挽单报告)"), blank=True)

    # E3: the report to the campus director and the director's own rescue.
    department_feedback = models.TextField(
        _("feedback to the learning-management and consulting departments"), blank=True
    )
    memo = models.TextField(_("the supervisor's memo to the campus director"), blank=True)
    director_rescue = models.TextField(_("the director's rescue"), blank=True)

    # E4: the responsibility analysis.
    lessons = models.TextField(_("lessons learned"), blank=True)
    accountable = models.TextField(_("accountable person(s)"), blank=True)
    coaching = models.TextField(_("coaching and assessment"), blank=True)
    superiors_memo = models.TextField(_("memo to the superiors"), blank=True)
    instruction = models.TextField(_("the president's instruction"), blank=True)
    instruction_at = models.DateTimeField(_("instruction given at"), null=True, blank=True)
    execution = models.TextField(_("how the instruction was carried out"), blank=True)

    # Why (PROCESS.md's loss reasons, retention.reasons.ITEMS), for retained and lost students alike.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    reason_note = models.TextField(_("reasons in words"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When the outcome was known (a lost case stays open for the responsibility analysis).
    outcome_at = models.DateTimeField(_("outcome known at"), null=True, blank=True)

    class Meta:
        verbose_name = _("retention case")
        verbose_name_plural = _("retention cases")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # One open case per student: a new warning sign joins the open one.
            models.UniqueConstraint(
                fields=["student"], condition=~models.Q(stage="closed"), name="case_one_open_per_student"
            ),
        ]
        indexes = [
            # The boards: a campus's open cases by stage.
            models.Index(fields=["campus", "stage"], name="case_campus_stage"),
        ]

    def __str__(self):
        return f"{self.student} · {self.get_stage_display()}"

    def get_absolute_url(self):
        return reverse("retention:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.CLOSED
