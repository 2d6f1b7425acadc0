from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Campus


class Handover(models.Model):
    """The handover of one signed contract from the consultant to the learning manager (H1–H5)."""

    contract = models.OneToOneField(
        "students.Contract", on_delete=models.PROTECT, related_name="handover", verbose_name=_("contract")
    )
    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="handovers", verbose_name=_("student")
    )
    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="+", verbose_name=_("campus"))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("learning manager"),
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # H1/H2: the file received, with the review checklist.
    received_at = models.DateTimeField(_("file received at"), null=True, blank=True)
    review = models.JSONField(_("review"), default=dict, blank=True)
    # H3: the introductory call to the parent.
    intro_call_at = models.DateTimeField(_("intro call at"), null=True, blank=True)
    intro_call_notes = models.TextField(_("intro call notes"), blank=True)
    # H4: the talk with the consultant.
    consultant_talk_at = models.DateTimeField(_("talk with the consultant at"), null=True, blank=True)
    consultant_talk_notes = models.TextField(_("talk notes"), blank=True)
    paper_handover_at = models.DateTimeField(_("paper-file handover at"), null=True, blank=True)
    lesson_arrangement = models.TextField(_("lesson arrangement"), blank=True)
    # H5: the paper file checked, then signed by both.
    paper_checked_at = models.DateTimeField(_("paper file checked at"), null=True, blank=True)
    manager_signed_at = models.DateTimeField(_("signed by the manager at"), null=True, blank=True)
    consultant_signed_at = models.DateTimeField(_("signed by the consultant at"), null=True, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at"]
        indexes = [
            # The handover list (handover.selectors.handover_list): not signed off first, newest first.
            models.Index(
                fields=["-consultant_signed_at", "-manager_signed_at", "-created_at", "-id"],
                name="handover_list_order",
            ),
        ]

    def __str__(self):
        return f"{self.student} · {self.contract}"

    def get_absolute_url(self):
        return reverse("handover:detail", args=[self.pk])

    @property
    def signed_off(self) -> bool:
        return bool(self.manager_signed_at and self.consultant_signed_at)


class PaperItemKind(models.Model):
    """An item the paper file must hold; company-wide, or added by one campus."""

    name = models.CharField(_("name"), max_length=60)
    campus = models.ForeignKey(
        Campus,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campus"),
        help_text=_("Empty for every campus."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("paper-file item")
        verbose_name_plural = _("paper-file items")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class PaperItem(models.Model):
    """One item of one handover's paper file: present, or missing with the date the consultant brings it."""

    handover = models.ForeignKey(
        Handover, on_delete=models.CASCADE, related_name="items", verbose_name=_("handover")
    )
    name = models.CharField(_("name"), max_length=60)
    present = models.BooleanField(_("present"))
    promised_on = models.DateField(_("promised on"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper-file item of a handover")
        verbose_name_plural = _("paper-file items of handovers")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "name"], name="paper_item_once"),
            models.CheckConstraint(
                condition=models.Q(present=True) | models.Q(promised_on__isnull=False),
                name="paper_item_missing_has_a_date",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def student_id(self):
        return self.handover.student_id


class PreClass(models.Model):
    """The work before a student's first lesson (P1–P3), counted towards that lesson."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        WECHAT = "wechat", _("WeChat")
        IN_PERSON = "in_person", _("In person")
        SMS = "sms", _("Text message")

    student = models.OneToOneField(
        "students.Student", on_delete=models.CASCADE, related_name="preclass", verbose_name=_("student")
    )
    first_lesson = models.OneToOneField(
        "students.Lesson", on_delete=models.PROTECT, related_name="+", verbose_name=_("first lesson")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # P1: the talk with consultant and teacher, both reports in hand.
    talk_at = models.DateTimeField(_("talk with consultant and teacher at"), null=True, blank=True)
    talk_notes = models.TextField(_("talk notes"), blank=True)
    # P2: the parent told the first lesson's time, place and subjects.
    parent_told_at = models.DateTimeField(_("parent told at"), null=True, blank=True)
    parent_channel = models.CharField(_("how"), max_length=12, choices=Channel.choices, blank=True)
    # P3: the course schedule and the tutoring draft ready for the parent.
    documents_ready_at = models.DateTimeField(_("documents ready at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pre-class work")
        verbose_name_plural = _("pre-class work")

    def __str__(self):
        return f"{self.student} · {self.first_lesson}"

    @property
    def campus_id(self):
        return self.student.campus_id


class WeekendTimetable(models.Model):
    """P4: a learning manager's timetable of one weekend, confirmed by the end of the working day before."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("learning manager"),
    )
    saturday = models.DateField(_("Saturday"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekend timetable")
        verbose_name_plural = _("weekend timetables")
        constraints = [
            models.UniqueConstraint(fields=["manager", "saturday"], name="weekend_once_per_manager")
        ]

    def __str__(self):
        return f"{self.manager} · {self.saturday}"

    @property
    def campus_id(self):
        return self.manager.campus_id
