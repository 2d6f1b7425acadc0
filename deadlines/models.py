from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Campus

from .rules import RULES


class CalendarDay(models.Model):
    """An administrator's entry for one date: the official schedule of a new year, or a campus's own day.

    Entries win over the packaged official calendar; a campus's entry wins over a company-wide one.
    """

    date = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("e.g. 春节 or 调休上班"))
    campus = models.ForeignKey(
        Campus,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        verbose_name=_("campus"),
        help_text=_("Empty for the whole company."),
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date", "campus"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=Q(campus=None), name="calendarday_company_unique"
            ),
            models.UniqueConstraint(
                fields=["date", "campus"], condition=Q(campus__isnull=False), name="calendarday_campus_unique"
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.name}"


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Done")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated")
    MET_LATE = "met_late", _("Done late")
    WAIVED = "waived", _("Waived")
    # Its event passed with the work not done (P1–P3 once the first lesson has begun): late for good.
    MISSED = "missed", _("Missed")


ACTIVE = (Status.OPEN, Status.OVERDUE, Status.ESCALATED)
LATE = (Status.OVERDUE, Status.ESCALATED)
# The rules whose clock closes as missed once its event has begun (P1–P3 at the first lesson).
LAPSING_RULES = sorted(rule.id for rule in RULES.values() if rule.lapses_at_event)


class Deadline(models.Model):
    """One clock of one rule for one record: opened by a service, closed when the work is recorded."""

    rule = models.CharField(_("rule"), max_length=8, choices=[(r.id, r.id) for r in RULES.values()])
    # The unique (rule, subject, occurrence) index serves subject lookups.
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # Recurring rules open occurrence 2, 3, ... as each one is met; one-off rules have only 1.
    occurrence = models.PositiveIntegerField(_("occurrence"), default=1)
    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="+", verbose_name=_("campus"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="deadlines",
        db_index=False,  # deadline_owner_status_due serves it
        verbose_name=_("owner"),
    )
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("student"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    event_at = models.DateTimeField(_("event at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("next escalation at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    # Bumped when the deadline is rescheduled, so the notices of the new clock are not taken for
    # the old ones (a notice is unique per deadline, round, kind and recipient).
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("overdue at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("closed by"),
    )
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "pk"]
        constraints = [
            # Opening the same rule for the same record twice opens one deadline.
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id", "occurrence"], name="deadline_once_per_subject"
            ),
        ]
        indexes = [
            # The sweep's overdue step: open rows that have come due.
            models.Index(fields=["due_at"], condition=Q(status="open"), name="deadline_open_due"),
            # The sweep's reminder step: open rows not yet reminded.
            models.Index(
                fields=["remind_at"],
                condition=Q(status="open", reminded_at=None),
                name="deadline_open_remind",
            ),
            # The sweep's lapse step: active pre-class rows by the time of their event (the first lesson).
            models.Index(
                fields=["event_at"],
                condition=Q(rule__in=LAPSING_RULES, status__in=["open", "overdue", "escalated"]),
                name="deadline_lapsing_event",
            ),
            # The sweep's escalation step: late rows with an escalation still to come.
            models.Index(
                fields=["escalate_at"],
                condition=Q(status__in=["overdue", "escalated"]),
                name="deadline_late_escalate",
            ),
            # My day and the team view: a person's active deadlines by due time.
            models.Index(
                fields=["owner", "due_at"],
                condition=Q(status__in=["open", "overdue", "escalated"]),
                name="deadline_owner_active",
            ),
            # The on-time rate: a person's deadlines by due time, whatever their status.
            models.Index(fields=["owner", "status", "due_at"], name="deadline_owner_status_due"),
            # A director's pages: the campus's active deadlines by due time, late first (the week's
            # callbacks of followups.selectors.callbacks_due, the campus's late work).
            models.Index(
                fields=["campus", "due_at"],
                condition=Q(status__in=["open", "overdue", "escalated"]),
                name="deadline_campus_active_due",
            ),
            # A director's and a supervisor's punctuality (reports.selectors.punctuality: by rule, by
            # manager and by week, from the records, as their figures name people): the campus's
            # deadlines of the two periods read from the index alone, not the company's of those days.
            models.Index(
                fields=["campus", "due_at"],
                include=["owner", "rule", "status", "escalation_level"],
                name="deadline_campus_due",
            ),
            # The company's punctuality report (reports.selectors.punctuality: today's deadlines and
            # the days not yet kept per campus, read from the index alone) and the deadlines behind
            # its figures, the latest due first.
            models.Index(
                fields=["due_at"],
                include=["campus", "rule", "status", "escalation_level"],
                name="deadline_due",
            ),
            # The company's renewal report (reports.selectors.threshold_reached): the students who
            # reached the threshold today and on the days not yet kept per campus.
            models.Index(fields=["opened_at"], condition=Q(rule="R1"), name="deadline_renewal_opened"),
            # A director's and a supervisor's renewal figures (reports.selectors.threshold_reached, by
            # manager, from the records): the campus's students who reached the threshold in the periods.
            models.Index(
                fields=["campus", "opened_at"], condition=Q(rule="R1"), name="deadline_campus_renewal_opened"
            ),
            # The clocks of one record: a case's, a handover's, a refund's page (deadlines_of).
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject"),
            # The student page's open clocks, and the student list's late students (Caseload.late_rows,
            # and asking each student when the scope has more than LATE_ROWS late deadlines); with the
            # campus, which the list's scope filters on, read from the index alone.
            models.Index(
                fields=["student", "due_at"],
                include=["campus"],
                condition=Q(status__in=["open", "overdue", "escalated"]),
                name="deadline_student_active",
            ),
            # What the sweep escalated to the directors (escalated_to_director) and, per campus, to
            # the president's home: a few rows among a million active ones.
            models.Index(
                fields=["campus", "due_at"],
                condition=Q(status__in=["open", "overdue", "escalated"], escalation_level__gte=2),
                name="deadline_escalated_campus",
            ),
        ]

    def __str__(self):
        return f"{self.rule} #{self.pk}"

    @property
    def rule_obj(self):
        return RULES[self.rule]

    @property
    def title(self):
        return RULES[self.rule].title

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def action_url(self) -> str:
        """Where the owner acts on it: its subject's page, the student's page at this deadline, or the
        rule's own page."""
        rule = RULES[self.rule]
        if rule.subject_url_name:
            return reverse(rule.subject_url_name, args=[self.subject_id])
        if self.student_id:
            page = reverse("students:detail", args=[self.student_id])
            return f"{page}?open={rule.entry}#{rule.entry}" if rule.entry else f"{page}#deadline-{self.pk}"
        return reverse(rule.url_name) if rule.url_name else ""

    def is_late(self, now=None) -> bool:
        return self.is_active and self.due_at <= (now or timezone.now())


class Kind(models.TextChoices):
    OPENED = "opened", _("New task")
    REMINDER = "reminder", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED_SUPERVISOR = "escalated_1", _("Escalated to the supervisor")
    ESCALATED_DIRECTOR = "escalated_2", _("Escalated to the campus director")
    APPROVAL = "approval", _("Waiting for your approval")


class Notification(models.Model):
    """A line in someone's inbox; the text is drawn, in the reader's language, from its deadline or,
    for a notice about another record (a refund waiting for its approver), from that record's kind
    (deadlines.messages.describe). Such a notice carries its record's student and campus, so that
    who may read it follows the record (timeline.audience), as for events."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # notification_inbox serves it
        verbose_name=_("recipient"),
    )
    deadline = models.ForeignKey(  # the unique (deadline, round, kind, recipient) index serves it
        Deadline,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        db_index=False,
    )
    # The record of a notice that is about no deadline; the unique notification_about_once serves it.
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    campus = models.ForeignKey(
        Campus, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    # Which pass of its deadline or record: a notice is sent once per round.
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Held back until the campus is at work; the inbox and the email wait for it.
    deliver_after = models.DateTimeField(_("deliver after"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-deliver_after", "-pk"]
        constraints = [
            # Each notice once, however many sweeps run or however often a task is delivered.
            models.UniqueConstraint(
                fields=["deadline", "round", "kind", "recipient"], name="notification_once"
            ),
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "round", "kind", "recipient"],
                condition=Q(deadline=None),
                name="notification_about_once",
            ),
            models.CheckConstraint(
                name="notification_about_one_thing",
                condition=Q(deadline__isnull=False, subject_type__isnull=True, subject_id__isnull=True)
                | Q(deadline__isnull=True, subject_type__isnull=False, subject_id__isnull=False),
            ),
        ]
        indexes = [
            # The inbox and the bell: a person's notifications, newest first.
            models.Index(fields=["recipient", "-deliver_after"], name="notification_inbox"),
            # The unread count of the bell.
            models.Index(fields=["recipient"], condition=Q(read_at=None), name="notification_unread"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"


class Topic(models.TextChoices):
    """What a person chooses the outside channels of: each kind of notice, and the morning digest."""

    NEW_TASK = "opened", _("New task")
    REMINDER = "reminder", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalated", _("Escalated to you")
    APPROVAL = "approval", _("Waiting for your approval")
    DIGEST = "digest", _("Morning digest")


class NoticeChoice(models.Model):
    """A person's choice for one topic: which outside channels carry it, and whether it may come
    outside working hours. No row: the topic's default (deadlines.preferences)."""

    user = models.ForeignKey(  # the unique (user, topic) index serves it
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_choices", db_index=False
    )
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    email = models.BooleanField(_("email"))
    wecom = models.BooleanField(_("WeCom"))
    off_hours = models.BooleanField(_("also outside working hours"), default=False)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("notice choice")
        verbose_name_plural = _("notice choices")
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="notice_choice_once")]

    def __str__(self):
        return f"{self.user} {self.get_topic_display()}"


class Digest(models.Model):
    """One working day's summary of a person's work, made at their campus's opening. Its text is kept
    as it was sent: the administrator sees what the person was told."""

    recipient = models.ForeignKey(  # the unique (recipient, day) index serves it
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digests",
        db_index=False,
        verbose_name=_("recipient"),
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    due_today = models.PositiveIntegerField(_("due today"), default=0)
    waiting = models.PositiveIntegerField(_("waiting for them"), default=0)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)

    class Meta:
        verbose_name = _("morning digest")
        verbose_name_plural = _("morning digests")
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="digest_once_a_day")]

    def __str__(self):
        return f"{self.recipient} {self.day}"

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_today or self.waiting)


class Delivery(models.Model):
    """One notification or one morning digest sent through one outside channel (email, WeCom)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        DROPPED = "dropped", _("Not sent: the reader may no longer open its record")

    notification = models.ForeignKey(  # the unique (notification, channel) index serves it
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        null=True,
        blank=True,
        db_index=False,
    )
    digest = models.ForeignKey(  # the unique (digest, channel) index serves it
        Digest, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True, db_index=False
    )
    channel = models.CharField(_("channel"), max_length=16)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
            models.UniqueConstraint(fields=["digest", "channel"], name="digest_delivery_once_per_channel"),
            models.CheckConstraint(
                name="delivery_of_one_thing",
                condition=Q(notification__isnull=False, digest__isnull=True)
                | Q(notification__isnull=True, digest__isnull=False),
            ),
        ]
        indexes = [
            # The delivery task: pending rows whose next attempt has come.
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="delivery_pending"),
            # The administrator's failed deliveries, newest first.
            models.Index(fields=["-next_attempt_at"], condition=Q(state="failed"), name="delivery_failed"),
        ]

    def __str__(self):
        return f"{self.channel} {self.get_state_display()}"
