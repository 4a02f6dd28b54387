"""The admin login form, telling a locked-out person what happened and what to do."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from cms.axes import lockout_message


class LoginForm(WagtailLoginForm):
    def get_invalid_login_error(self):
        # django-axes refuses inside authenticate() and flags the request; without
        # this the person would only read "username and password didn't match".
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(lockout_message(self.request), code="locked_out")
        return super().get_invalid_login_error()
