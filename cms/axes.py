"""How django-axes sees our requests: the client's real address behind our
proxies, the lockout shown on Wagtail's own login page, and a password reset
that lifts the lock it tells people about."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from partnerships.http import client_address


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address our outermost trusted proxy saw."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # A misconfigured TRUSTED_PROXY_COUNT lets the client write this value;
        # never store or key on free text, fall back to the socket's peer.
        return request.META.get("REMOTE_ADDR") or None


def lockout_message(request: HttpRequest | None = None) -> str:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    wait = f"wait {minutes} minutes" if minutes else "ask the hub to unlock it"
    return (
        "Too many failed attempts from your address for this account; "
        f"{wait} or reset your password."
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: keep Wagtail's login page (the form already carries
    the lockout message, see cms.forms.LoginForm), answered as 429."""
    if original_response is not None and original_response.status_code == 200:
        original_response.status_code = settings.AXES_HTTP_RESPONSE_CODE
        return original_response
    return HttpResponse(
        lockout_message(request),
        status=settings.AXES_HTTP_RESPONSE_CODE,
        content_type="text/plain; charset=utf-8",
    )


class PasswordResetUnlocksMiddleware:
    """Setting a new password through the e-mailed link proves the person holds
    the account's mailbox, so it lifts every lock on that username."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            request.method == "POST"
            and match is not None
            and match.view_name == "wagtailadmin_password_reset_confirm"
            and response.status_code == 302
            and response.get("Location")
            == reverse("wagtailadmin_password_reset_complete")
        ):
            self._unlock(match.kwargs.get("uidb64", ""))
        return response

    @staticmethod
    def _unlock(uidb64: str) -> None:
        from axes.utils import reset
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        try:
            user = user_model._default_manager.get(
                pk=force_str(urlsafe_base64_decode(uidb64))
            )
        except (ValueError, TypeError, OverflowError, user_model.DoesNotExist):
            return
        reset(username=user.get_username())
