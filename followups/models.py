import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
