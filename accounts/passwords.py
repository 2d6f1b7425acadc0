"""Password rules of our own, beside Django's (settings.AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotTheCurrentPasswordValidator:
    """A change must change something: the new password may not be the one in use."""

    def validate(self, password, user=None):
        # The form validates before it saves, so user.password still holds the current hash.
        # hashers.check_password, not user.check_password: that one re-saves an outdated hash.
        current = getattr(user, "password", None)
        if getattr(user, "pk", None) and current and check_password(password, current):
            raise ValidationError(
                _("The new password must differ from your current password."), code="password_unchanged"
            )

    def get_help_text(self):
        return _("Your password can’t be the one you use now.")
