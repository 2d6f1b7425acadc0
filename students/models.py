from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Campus, Role

from .indexes import TrigramIndex

# A mainland mobile number, or a landline with its area code; spaces and dashes allowed.
phone_validator = RegexValidator(
    r"^(?:\+?86[ -]?)?(?:1[3-9]\d(?:[ -]?\d{4}){2}|0\d{2,3}[ -]?\d{7,8})$",
    _("Enter a mobile number such as 138 0000 0000, or a landline such as 010-62550001."),
)


class LossReason(models.TextChoices):
    """Why students are lost (失单原因, PROCESS.md): every lost or rescued case names one."""

    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    THE_WORK = "the_work", _("The work itself")
    RELATIONSHIP = "relationship", _("The relationship with parent and student")
    DEPARTMENTS = "departments", _("Working with other departments")
    PERSONAL = "personal", _("Personal")
    OTHER = "other", _("Other")


class Student(models.Model):
    """A student in a learning manager's caseload, from the signed contract to its end."""

    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Contract ended")
        REFUNDED = "refunded", _("Refunded")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    full_name = models.CharField(_("full name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    campus = models.ForeignKey(
        Campus, on_delete=models.PROTECT, related_name="students", verbose_name=_("campus")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("learning manager"),
        limit_choices_to={"role": Role.LEARNING_MANAGER},
        help_text=_("Empty until the supervisor assigns one."),
    )
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ONBOARDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # The personal file (个性化档案, PROCESS.md F1), built from the talks with parent, student,
    # consultant and teacher.
    personality = models.TextField(_("personality"), blank=True)
    hobbies = models.TextField(_("hobbies"), blank=True)
    study_habits = models.TextField(_("study habits"), blank=True)
    learning_situation = models.TextField(_("learning situation"), blank=True)
    family_goal = models.TextField(_("the family's real goal for tutoring"), blank=True)
    expectations = models.TextField(_("expectations"), blank=True)
    analysis = models.TextField(_("the manager's analysis"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    file_updated_at = models.DateTimeField(_("file updated at"), null=True, blank=True)
    # While paused: the day the family expects the student back (set by followups.pauses.student_pause,
    # cleared on return); a past day on the page means someone should call.
    expected_return_on = models.DateField(_("expected back on"), null=True, blank=True, editable=False)

    # The class hours of the student's contracts and of their lessons done, kept equal to those rows by
    # the services that change them (students.services.hours_recount, in the same transaction: a
    # contract signed, a lesson marked done), so that lists filter and sort on the hours left instead of
    # summing every student's contracts and lessons. Never set by hand; a saved instance writes only
    # its update_fields.
    hours_bought = models.DecimalField(
        _("hours bought"),
        max_digits=9,
        decimal_places=1,
        default=Decimal("0"),
        db_default=Decimal("0"),
        editable=False,
    )
    hours_used = models.DecimalField(
        _("hours used"),
        max_digits=9,
        decimal_places=1,
        default=Decimal("0"),
        db_default=Decimal("0"),
        editable=False,
    )
    # Bought less used (student_hours_left_is_bought_less_used), a column of its own to index.
    hours_left = models.DecimalField(
        _("hours left"),
        max_digits=9,
        decimal_places=1,
        default=Decimal("0"),
        db_default=Decimal("0"),
        editable=False,
    )

    # No longer taught: all class hours used (the contract ended) or refunded. Such a student books
    # no lesson and raises no warning sign; a refunded one is not asked about renewal either.
    FINISHED = (Status.ENDED, Status.REFUNDED)

    FILE_FIELDS = (
        "personality",
        "hobbies",
        "study_habits",
        "learning_situation",
        "family_goal",
        "expectations",
        "analysis",
        "measures",
    )

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["full_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_left=models.F("hours_bought") - models.F("hours_used")),
                name="student_hours_left_is_bought_less_used",
            ),
        ]
        indexes = [
            # students_for(user): a manager's caseload on their campus.
            models.Index(fields=["campus", "manager"], name="student_campus_manager"),
            # The caseload list filtered by status; and the caseload report's students by campus and
            # status with their hours left (reports.selectors.caseload), from the index alone: the
            # company's 100,000 students 45 → 20 ms, without a pass over the table.
            models.Index(fields=["campus", "status"], include=["hours_left"], name="student_campus_status"),
            # The caseload list (selectors.caseload) after its late students: the rest by name, a page at
            # a time, for the company-wide roles ...
            models.Index(fields=["full_name", "id"], name="student_name"),
            # ... and for one campus (a director's list).
            models.Index(fields=["campus", "full_name", "id"], name="student_campus_name"),
            # The renewal list (followups.selectors.renewal_list: hours left below the campus's
            # threshold, fewest first) and the caseload's "hours left below" filter.
            models.Index(fields=["campus", "hours_left"], name="student_campus_hours"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("students:detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        """Whether the student is no longer taught (FINISHED)."""
        return self.status in self.FINISHED


class Guardian(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER = "other", _("Other")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("student")
    )
    name = models.CharField(_("name"), max_length=60)
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    phone_other = models.CharField(_("other phone"), max_length=20, blank=True, validators=[phone_validator])
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    best_time_to_call = models.CharField(_("best time to call"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)
    # One form, one record (config/once.py): the add-a-guardian form sent twice adds one guardian.
    request_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["-is_primary", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["student", "request_key"], name="guardian_once_per_form"),
        ]
        indexes = [
            # The caseload search by a whole phone number (those who read numbers masked).
            models.Index(fields=["phone"], name="guardian_phone"),
            # The caseload search by part of a number (selectors.caseload: phone LIKE '%1380000%').
            TrigramIndex(fields=["phone"], opclasses=["gin_trgm_ops"], name="guardian_phone_trgm"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_relation_display()}）"


class Contract(models.Model):
    """A signed contract; a student may have several (renewals). Its hours are the student's to use."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("student")
    )
    number = models.CharField(_("contract number"), max_length=40, unique=True)
    signed_at = models.DateTimeField(_("signed at"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signed_contracts",
        verbose_name=_("consultant"),
        limit_choices_to={"role": Role.CONSULTANT},
    )
    subjects = models.CharField(_("subjects"), max_length=100)
    hours = models.DecimalField(
        _("class hours"), max_digits=7, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    unit_price = models.DecimalField(
        _("price per hour"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    amount = models.DecimalField(
        _("amount"), max_digits=11, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # One form, one record (config/once.py): the intake form sent twice enters one contract.
    request_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["consultant", "request_key"], name="contract_once_per_form"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="contract_hours_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="contract_price_not_negative"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
        ]

    def __str__(self):
        return self.number


class Lesson(models.Model):
    """One lesson of a student; done lessons use up the contracts' hours."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        ABSENT = "absent", _("Absent")
        CANCELLED = "cancelled", _("Cancelled")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("student")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    subject = models.CharField(_("subject"), max_length=40)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("teacher"),
        limit_choices_to={"role": Role.TEACHER},
    )
    classroom = models.CharField(_("classroom"), max_length=40, blank=True)
    hours = models.DecimalField(
        _("class hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # One form, one series (config/once.py): the lessons booked by one sending of the form share it.
    request_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="lesson_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="lesson_hours_positive"),
        ]
        indexes = [
            # The student page and the hours left: a student's lessons by time.
            models.Index(fields=["student", "starts_at"], name="lesson_student_time"),
            # The company's class hours taught (reports.selectors.caseload): today's lessons and those
            # of the days not yet kept per campus, with what the report sums from the index alone.
            models.Index(
                fields=["starts_at"],
                include=["student", "hours"],
                condition=Q(status="done"),
                name="lesson_done_starts",
            ),
            # A teacher's timetable and double-booking checks.
            models.Index(fields=["teacher", "starts_at"], name="lesson_teacher_time"),
            # A teacher's students (students_for): whether a student has a lesson with them, asked
            # of each student of the campus in turn.
            models.Index(fields=["teacher", "student"], name="lesson_teacher_student"),
        ]

    def __str__(self):
        return f"{self.subject} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Document(models.Model):
    """A named document of the student's file (PROCESS.md's list), uploaded by staff."""

    class Kind(models.TextChoices):
        CONSULTATION_REPORT = "consultation_report", _("Consultation report (咨询报告)")
        SITUATION_ANALYSIS = (
            "situation_analysis",
            _("Learning-situation analysis report (学习情况个性化分析报告)"),
        )
        TUTORING_DRAFT = "tutoring_draft", _("Tutoring draft (个性化辅导草案)")
        COURSE_SCHEDULE = "course_schedule", _("Course schedule (课程安排表)")
        MANAGEMENT_PLAN = "management_plan", _("Learning-management plan (学生学习管理方案)")
        TUTORING_PLAN = "tutoring_plan", _("Personalized tutoring plan (学生个性化辅导方案)")
        STAGE_SUMMARY = "stage_summary", _("Stage summary (阶段性总结)")
        TEACHING_PLAN = "teaching_plan", _("Teaching plan (教学计划)")
        LESSON_RECORD = "lesson_record", _("Lesson record (授课记录)")
        SCORE_RECORD = "score_record", _("Score record (学习成绩记录)")
        GROWTH_RECORD = "growth_record", _("Growth record (成长记录)")
        OTHER = "other", _("Other")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="documents", verbose_name=_("student")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    given_to_parent_on = models.DateField(_("given to the parent on"), null=True, blank=True)
    # A teacher's plan or lesson record is in the file once the learning manager has filed it (F4).
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    # One form, one record (config/once.py): an upload sent twice files one document.
    request_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["uploaded_by", "request_key"], name="document_once_per_form"),
        ]

    def __str__(self):
        return self.title or self.get_kind_display()


class ContractImport(models.Model):
    """A file of signed contracts (CSV or Excel, kept as CSV text): checked row by row, shown to its
    uploader, and imported whole or not at all once they confirm it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CHECKING = "checking", _("Checking")
        READY = "ready", _("Checked, waiting for your confirmation")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=200)
    text = models.TextField(_("content"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("rows"), default=0)
    checked = models.PositiveIntegerField(_("rows checked"), default=0)
    imported = models.PositiveIntegerField(_("contracts imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The preview: each row's line in the file and the values shown (contract_import._preview_row).
    rows = models.JSONField(_("rows read"), default=list, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    students = models.JSONField(_("students created"), default=list, blank=True)  # their ids

    class Meta:
        verbose_name = _("contract import")
        verbose_name_plural = _("contract imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name

    @property
    def running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return round(100 * self.checked / self.total) if self.total else 0
