from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import MD5
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
        API = "api", _("called the intake API")

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


class ExportJob(models.Model):
    """A list's workbook too long to build while its request waits (config.exports.ROW_CEILING), built
    by the worker through the list's own view and address; downloaded by its user alone, kept a day
    (timeline.export_jobs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background service")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", pgettext_lazy("export", "Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # a job is a day's convenience, not a record
        related_name="+",
        db_index=False,  # export_job_active serves the look-up of a user's running export
        verbose_name=_("by"),
    )
    # The page's path with its query (?format=xlsx included), as its request asked it.
    address = models.TextField(_("address"))
    title = models.CharField(_("title"), max_length=200)
    # The access log's entry of each download: what was exported, on which campus (none: the company's).
    detail = models.CharField(_("which"), max_length=200, blank=True)
    campus = models.ForeignKey(
        "accounts.Campus",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up by campus
        verbose_name=_("campus"),
    )
    language = models.CharField(_("language"), max_length=16)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    rows_expected = models.PositiveIntegerField(_("rows expected"), default=0)
    file = models.FileField(_("file"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The worker's last sign of life (claimed, or CHUNK more rows written): a job silent too long failed.
    touched_at = models.DateTimeField(_("last progress"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            # One running export of a page for a user: a double click finds the first. The address is
            # hashed, as a long query would not fit an index entry.
            models.UniqueConstraint(
                "user",
                MD5("address"),
                condition=models.Q(status__in=["queued", "running"]),
                name="export_job_active",
            ),
        ]
        indexes = [
            # The hourly clean: the jobs older than a day.
            models.Index(fields=["created_at"], name="export_job_created"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user_id} {self.title}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_expected or self.status == self.Status.QUEUED:
            return 0
        return min(99, 100 * self.rows_written // self.rows_expected)
