"""Login throttling: a few failures per username and per address, then a pause."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm


def _keys(request, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "") if request else ""
    return [f"login-fail:user:{username.lower()}", f"login-fail:addr:{address}"]


class ThrottledLoginForm(LoginForm):
    def clean(self):
        username = self.data.get("username", "")
        keys = _keys(self.request, username)
        if any(cache.get(key, 0) >= settings.LOGIN_MAX_FAILURES for key in keys):
            minutes = settings.LOGIN_FAILURE_WINDOW // 60
            raise ValidationError(
                f"Too many failed login attempts. Wait {minutes} minutes and try "
                "again, or reset your password with “Forgotten password?”.",
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)
            raise
