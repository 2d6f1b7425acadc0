import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from students.models import LossReason


class Callback(models.Model):
    """A real talk with a parent, the student or a teacher (F1, F5, L4), logged in the student's file."""

    class With(models.TextChoices):
        PARENT = "parent", _("Parent")
        STUDENT = "student", _("Student")
        TEACHER = "teacher", _("Teacher")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        WECHAT = "wechat", _("WeChat")

    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("student")
    )
    with_whom = models.CharField(_("with"), max_length=10, choices=With.choices, default=With.PARENT)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    at = models.DateTimeField(_("when"))
    summary = models.TextField(_("summary"))
    concerns = models.TextField(_("the family's concerns"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # One form, one record: a double click or a resent form carries the same key.
    request_key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "request_key"], name="callback_once_per_form"),
        ]
        indexes = [
            # The student's callback log, newest first.
            models.Index(fields=["student", "-at"], name="callback_student_at"),
        ]

    def __str__(self):
        return f"{self.student} · {self.at:%Y-%m-%d}"


class Exam(models.Model):
    """An exam of the campus's calendar: a school's grades sit it on a day (or one student does).
    Entering it opens L5 for each student it concerns (an ExamSitting each)."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly exam")
        MIDTERM = "midterm", _("Midterm exam")
        FINAL = "final", _("Final exam")

    campus = models.ForeignKey(
        "accounts.Campus", on_delete=models.CASCADE, related_name="exams", verbose_name=_("campus")
    )
    school = models.CharField(_("school"), max_length=100)
    grades = models.JSONField(_("grades"), default=list)
    kind = models.CharField(_("exam"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("exam date"))
    # An exam just for one student, entered from the student's page.
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_exams",
        verbose_name=_("student"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    request_key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "request_key"], name="exam_once_per_form"),
        ]
        indexes = [
            # The exams page of a campus, latest first.
            models.Index(fields=["campus", "-date"], name="exam_campus_date"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} · {self.school} {'、'.join(self.grades)}"


class ExamSitting(models.Model):
    """One student concerned by an exam: the subject of their L5 clock."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="sittings", verbose_name=_("exam"))
    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="exam_sittings", verbose_name=_("student")
    )

    class Meta:
        verbose_name = _("exam sitting")
        verbose_name_plural = _("exam sittings")
        constraints = [models.UniqueConstraint(fields=["exam", "student"], name="sitting_once_per_student")]

    def __str__(self):
        return f"{self.exam} · {self.student}"


class ExamScore(models.Model):
    """A monthly, midterm or final exam score with the manager's analysis (L5)."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly exam")
        MIDTERM = "midterm", _("Midterm exam")
        FINAL = "final", _("Final exam")
        OTHER = "other", _("Other exam")

    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="scores", verbose_name=_("student")
    )
    kind = models.CharField(_("exam"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=20)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    full_marks = models.DecimalField(_("full marks"), max_digits=5, decimal_places=1, default=100)
    class_rank = models.PositiveIntegerField(_("class rank"), null=True, blank=True)
    exam_date = models.DateField(_("exam date"))
    exam = models.ForeignKey(
        Exam, on_delete=models.SET_NULL, null=True, blank=True, related_name="scores", verbose_name=_("exam")
    )
    learned_on = models.DateField(
        _("the family learned it on"), null=True, blank=True, help_text=_("If later than the exam date.")
    )
    analysis = models.TextField(_("analysis"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    request_key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("exam score")
        verbose_name_plural = _("exam scores")
        ordering = ["-exam_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "request_key"], name="score_once_per_form"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, full_marks__gt=0, score__lte=models.F("full_marks")),
                name="score_within_full_marks",
                violation_error_message=_("The score must be between 0 and the full marks."),
            ),
        ]
        indexes = [
            # The score record and the trend chart of a student, by date.
            models.Index(fields=["student", "exam_date"], name="score_student_date"),
        ]

    def __str__(self):
        return f"{self.student} · {self.subject} {self.score}/{self.full_marks}"

    @property
    def percent(self) -> float:
        return float(self.score) * 100 / float(self.full_marks)


class AbsenceReason(models.Model):
    """L9: the real reason a student missed a lesson, found out by the manager."""

    lesson = models.OneToOneField(
        "students.Lesson", on_delete=models.CASCADE, related_name="absence_reason", verbose_name=_("lesson")
    )
    reason = models.TextField(_("the real reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("absence reason")
        verbose_name_plural = _("absence reasons")

    def __str__(self):
        return self.reason[:40]


class GrowthRecord(models.Model):
    """L6: what changed in the student this month — at least one record a month."""

    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="growth_records", verbose_name=_("student")
    )
    month = models.DateField(_("month"))
    text = models.TextField(_("growth record"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    request_key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("growth record")
        verbose_name_plural = _("growth records")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "request_key"], name="growth_once_per_form"),
        ]

    def __str__(self):
        return f"{self.student} · {self.month:%Y-%m}"


class Concern(models.Model):
    """L7: something about a student to watch — raised by anyone who works with them, handled by the
    manager with the teacher or counsellor, the parent and the student."""

    class Kind(models.TextChoices):
        MOOD = "mood", _("Mood")
        SCORES = "scores", _("Change in scores")
        HABITS = "habits", _("Habits")
        OTHER = "other", _("Other")

    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="concerns", verbose_name=_("student")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("what was noticed"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    analysis = models.TextField(_("analysis with the teacher or counsellor"), blank=True)
    parent_advice = models.TextField(_("what the parent was told and advised"), blank=True)
    student_talk = models.TextField(_("the talk with the student"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    request_key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["raised_by", "request_key"], name="concern_once_per_form"),
        ]

    def __str__(self):
        return f"{self.student} · {self.get_kind_display()}"


class LessonTalk(models.Model):
    """L3: after a lesson, the manager's talk with its teacher, the student and the parent."""

    lesson = models.OneToOneField(
        "students.Lesson", on_delete=models.CASCADE, related_name="talk", verbose_name=_("lesson")
    )
    teacher_notes = models.TextField(_("with the teacher"))
    student_notes = models.TextField(_("with the student"))
    parent_notes = models.TextField(_("with the parent"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("post-lesson talk")
        verbose_name_plural = _("post-lesson talks")

    def __str__(self):
        return str(self.lesson)


class FamilyReason(models.TextChoices):
    """Why a family does not renew, as the family puts it. Apart from LossReason on purpose: that list
    judges the campus's own work (in a retention case); a family that moves away is nobody's fault."""

    PRICE = "price", _("Price")
    RESULTS = "results", _("Results")
    SCHEDULE = "schedule", _("Lesson times")
    MOVING = "moving", _("Moving or changing schools")
    COMPETITOR = "competitor", _("Chose another tutoring provider")
    CHILD = "child", _("The child's own wish")
    OTHER = "other", _("Other")


class Renewal(models.Model):
    """R1: what the family said when asked about renewal — renewed with a new contract, declined
    with the family's reason, or not decided yet. Talks recorded before the family's reasons came
    name a loss reason instead (loss_reason): the renewal report counts those as "other"."""

    class Outcome(models.TextChoices):
        RENEWED = "renewed", _("Renewed")
        DECLINED = "declined", _("Declined")
        UNDECIDED = "undecided", _("Not decided yet")

    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="renewals", verbose_name=_("student")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    contract = models.ForeignKey(
        "students.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new contract"),
    )
    loss_reason = models.CharField(_("reason"), max_length=20, choices=LossReason.choices, blank=True)
    # db_default: rows written past the ORM (the benchmarks' bulk SQL) need no value.
    family_reason = models.CharField(
        _("why the family does not renew"),
        max_length=12,
        choices=FamilyReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    family_reason_note = models.CharField(
        _("the other reason"), max_length=200, blank=True, default="", db_default=""
    )
    note = models.TextField(_("what the family said"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    request_key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("renewal talk")
        verbose_name_plural = _("renewal talks")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recorded_by", "request_key"], name="renewal_once_per_form"),
            models.CheckConstraint(
                condition=~models.Q(outcome="renewed") | models.Q(contract__isnull=False),
                name="renewal_renewed_has_contract",
                violation_error_message=_("A renewal needs the new contract, entered by the consultant."),
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="declined")
                | ~models.Q(family_reason="")
                | ~models.Q(loss_reason=""),  # an older talk: its loss reason
                name="renewal_declined_has_reason",
                violation_error_message=_("Choose why the family does not renew."),
            ),
            models.CheckConstraint(
                condition=~models.Q(family_reason="other") | ~models.Q(family_reason_note=""),
                name="renewal_other_reason_said",
                violation_error_message=_("Say in a few words why the family does not renew."),
            ),
        ]
        indexes = [models.Index(fields=["student", "-recorded_at"], name="renewal_student_at")]

    def __str__(self):
        return f"{self.student} · {self.get_outcome_display()}"
