from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Campus, Role


class Student(models.Model):
    """A student in a learning manager's caseload, from the signed contract to its end."""

    full_name = models.CharField(_("full name"), max_length=60)
    campus = models.ForeignKey(
        Campus, on_delete=models.PROTECT, related_name="students", verbose_name=_("campus")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        verbose_name=_("learning manager"),
        limit_choices_to={"role": Role.LEARNING_MANAGER},
    )
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["full_name", "pk"]
        indexes = [
            # students_for(user): a manager's caseload on their campus.
            models.Index(fields=["campus", "manager"], name="student_campus_manager"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("students:detail", args=[self.pk])
