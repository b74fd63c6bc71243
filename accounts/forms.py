"""The login form."""

from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth import user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.views.decorators.debug import sensitive_variables

from exitprog.forms import CleanInputMixin

# django-axes keeps the username of a failed attempt in a column of this length.
_ATTEMPT_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length or 255


class LoginForm(CleanInputMixin, AuthenticationForm):
    """Django's login form, with a username longer than any account's refused on the server.

    Django only sets the field's `maxlength` attribute, which a browser keeps to but a script
    does not, and passes any length on to the backends: django-axes then fails to store the
    failed attempt (its column is shorter) and the login ends in a server error. Here such a
    name is a failed login like any other: the same message, and the attempt is counted for
    the lock-out under the name cut to what django-axes keeps (no account has a longer one).
    """

    @sensitive_variables()
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        max_length = self.fields["username"].max_length  # type: ignore[attr-defined]
        if username is not None and len(username) > max_length:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": username[:_ATTEMPT_USERNAME_LENGTH]},
                request=self.request,
            )
            raise self.get_invalid_login_error()
        return super().clean()
