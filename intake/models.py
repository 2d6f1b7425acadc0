from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """The key of one integration (the sales CRM): the campuses it may enter contracts for. Only the
    key's hash is kept; its prefix names it in the admin and the logs. Not changed once made: a new
    scope is a new key, and the old one revoked."""

    name = models.CharField(_("integration"), max_length=50)
    campuses = models.ManyToManyField(
        "accounts.Campus", related_name="+", verbose_name=_("campuses it may write to")
    )
    prefix = models.CharField(_("key prefix"), max_length=8, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    # Whom the access log names for the key's calls: an inactive account that cannot sign in.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("access log name"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class IntakeReply(models.Model):
    """The answer given to a call that entered a contract, kept under the call's Idempotency-Key: a
    retry of the same body gets it again, another body under the same key is refused."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="+", db_index=False)
    idempotency_key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    answer = models.JSONField()
    contract = models.ForeignKey(
        "students.Contract", on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The retry's lookup, and one reply per key even for two calls at the same instant.
            models.UniqueConstraint(fields=["api_key", "idempotency_key"], name="intake_reply_once")
        ]

    def __str__(self):
        return f"{self.api_key_id} {self.idempotency_key} {self.status}"
