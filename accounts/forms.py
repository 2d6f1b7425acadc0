from django.contrib.auth.forms import AdminUserCreationForm, AuthenticationForm, PasswordChangeForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.utils.translation import gettext_lazy as _

from config.forms import BoundedMixin


class LoginForm(BoundedMixin, AuthenticationForm):
    # One message for an unknown user and a wrong password: it must not tell which.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The user name or password is wrong. Both are case-sensitive."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class BoundedPasswordChangeForm(BoundedMixin, PasswordChangeForm):
    """Django's password change with the bounds of every form."""


class UserAddForm(BoundedMixin, AdminUserCreationForm):
    """The administrator adds a colleague: Django's form with the bounds of every form."""


class UserChangeForm(BoundedMixin, BaseUserChangeForm):
    pass
