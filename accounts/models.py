from datetime import time
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The people of PROCESS.md who sign in; parents and students are recorded, not users."""

    LEARNING_MANAGER = "learning_manager", _("Learning manager")
    SUPERVISOR = "supervisor", _("Learning-management supervisor")
    DIRECTOR = "director", _("Campus director")
    CONSULTANT = "consultant", _("Consultant")
    TEACHER = "teacher", _("Teacher")
    HEAD_TEACHER = "head_teacher", _("Head teacher")
    SCHEDULER = "scheduler", _("Scheduler")
    FINANCE = "finance", _("Finance")
    PRESIDENT = "president", _("President")
    ADMIN = "admin", _("Administrator")


# These work for the whole company; every other role belongs to exactly one campus.
COMPANY_ROLES = (Role.FINANCE, Role.PRESIDENT, Role.ADMIN)


class Campus(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True, help_text=_("A short code, e.g. HD."))
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # "Before leaving work" (下班前) is the closing time; notifications wait for the opening time.
    opens_at = models.TimeField(_("opens at"), default=time(9, 0))
    closes_at = models.TimeField(_("closes at"), default=time(18, 0))
    # R1: below this many class hours left, the learning manager asks the family about renewal.
    renewal_threshold = models.DecimalField(
        _("renewal threshold (class hours left)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # L3: a talk with teacher, student and parent after each lesson; some campuses do without it.
    post_lesson_talks = models.BooleanField(
        _("talk with teacher, student and parent after each lesson"), default=True
    )

    class Meta:
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="campus_opens_before_closing",
                condition=Q(opens_at__lt=models.F("closes_at")),
                violation_error_message=_("The campus must open before it closes."),
            )
        ]

    def __str__(self):
        return self.name


class Team(models.Model):
    """A supervisor and the learning managers they lead, on one campus."""

    campus = models.ForeignKey(
        Campus, on_delete=models.PROTECT, related_name="teams", verbose_name=_("campus")
    )
    name = models.CharField(_("name"), max_length=100)
    supervisor = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_teams",
        verbose_name=_("supervisor"),
        limit_choices_to={"role": Role.SUPERVISOR},
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["campus__name", "name"]
        constraints = [models.UniqueConstraint(fields=["campus", "name"], name="team_name_unique_per_campus")]

    def __str__(self):
        return f"{self.campus} · {self.name}"

    def clean(self):
        if self.supervisor_id and self.supervisor.campus_id != self.campus_id:
            raise ValidationError({"supervisor": _("The supervisor must work on this team's campus.")})


class CaseworkUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    campus = models.ForeignKey(
        Campus,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("campus"),
        help_text=_("Empty for company-wide roles (finance, president, administrator)."),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("team"),
        help_text=_("The team a learning manager works in."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    wecom_userid = models.CharField(
        _("WeCom user ID"),
        max_length=64,
        blank=True,
        help_text=_("The person's account (UserID) in the company's WeCom, for messages sent there."),
    )

    objects = CaseworkUserManager()
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                name="user_campus_matches_role",
                condition=(Q(role__in=COMPANY_ROLES) & Q(campus__isnull=True))
                | (~Q(role__in=COMPANY_ROLES) & Q(campus__isnull=False)),
                violation_error_message=_(
                    "Finance, president and administrator work company-wide and have no campus; "
                    "every other role belongs to one campus."
                ),
            ),
            # One WeCom account is one person: a message must not reach a colleague.
            models.UniqueConstraint(
                fields=["wecom_userid"],
                condition=~Q(wecom_userid=""),
                name="user_wecom_userid_once",
                violation_error_message=_("Another person has this WeCom account."),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_company_wide(self) -> bool:
        return self.role in COMPANY_ROLES

    def clean(self):
        super().clean()
        if self.team_id and self.team.campus_id != self.campus_id:
            raise ValidationError({"team": _("The team must be on the user's campus.")})
