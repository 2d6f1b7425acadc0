from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One append-only line of a record's history: who did what, when, from which state to which, why."""

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up by actor; one index fewer on the busiest table
        verbose_name=_("by"),
        help_text=_("Empty when the system did it (the deadline sweep)."),
    )
    kind = models.CharField(_("kind"), max_length=64)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    campus = models.ForeignKey(
        "accounts.Campus",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("campus"),
    )
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timeline",
        db_index=False,  # event_student_at serves it
        verbose_name=_("student"),
    )
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    reason = models.TextField(_("why"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["-at", "-pk"]
        indexes = [
            # The student's timeline page, newest first.
            models.Index(fields=["student", "-at"], name="event_student_at"),
            # The history of one record.
            models.Index(fields=["subject_type", "subject_id", "-at"], name="event_subject_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class Access(models.Model):
    """One line of the access log: who opened which student file, downloaded which document or scan,
    revealed which phone number, exported what. Append-only; purged after ACCESS_LOG_DAYS."""

    class Action(models.TextChoices):
        FILE_OPENED = "file", _("opened the student file")
        DOCUMENT = "document", _("downloaded a document")
        SCAN = "scan", _("downloaded a refund application scan")
        PHONE = "phone", _("revealed a phone number")
        PRINT = "print", _("printed")
        EXPORT = "export", _("exported")

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("what"), max_length=16, choices=Action.choices)
    campus = models.ForeignKey(
        "accounts.Campus",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # access_campus_at serves it
        verbose_name=_("campus"),
    )
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # access_student_at serves it
        verbose_name=_("student"),
    )
    detail = models.CharField(_("which"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [
            # The director's log of their campus, newest first; the purge by age uses `at` alone.
            models.Index(fields=["campus", "-at"], name="access_campus_at"),
            models.Index(fields=["student", "-at"], name="access_student_at"),
            models.Index(fields=["actor", "-at"], name="access_actor_at"),
            models.Index(fields=["at"], name="access_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action}"
