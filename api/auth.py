"""Who is asking: every API request carries an organisation's token
(`Authorization: Bearer <key>`). The token acts as its organisation's member,
so the one access policy (partnerships/permissions.py) decides what it sees;
a read-only token never changes anything; every use is logged."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .models import ApiToken, ApiTokenUse, key_hash

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ApiError(Exception):
    """An answer other than success, with the reason the caller reads."""

    def __init__(self, status: int, message: str, code: str = "processing"):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def token_for(request: HttpRequest) -> ApiToken:
    """The active token the request carries, or an ApiError (401)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        raise ApiError(401, "Send an API token: Authorization: Bearer <key>.", "login")
    kind, _, key = header.partition(" ")
    key = key.strip()
    if kind.lower() != "bearer" or not key:
        raise ApiError(401, "Send the token as Authorization: Bearer <key>.", "login")
    token = (
        ApiToken.objects.select_related("user", "organisation")
        .filter(key_hash=key_hash(key))
        .first()
    )
    if token is None or not token.active or not token.user.is_active:
        raise ApiError(401, "This API token is unknown or revoked.", "login")
    return token


def _log_use(token: ApiToken, request: HttpRequest, status: int) -> None:
    now = timezone.now()
    ApiTokenUse.objects.create(
        token=token,
        at=now,
        method=request.method[:10],
        path=request.get_full_path()[:300],
        status=status,
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def token_view(
    error: Callable[[ApiError], HttpResponse], methods: set[str] | None = None
):
    """Wrap an API view: find the token, refuse writes to a read-only token,
    turn refusals into `error(...)` answers and log every use of a token.
    The view reads `request.api_token` and acts as `request.api_user`."""
    allowed = methods or {"GET", "HEAD"}

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            token = None
            try:
                if request.method not in allowed:
                    raise ApiError(
                        405, f"{request.method} is not allowed here.", "not-supported"
                    )
                token = token_for(request)
                if request.method not in SAFE_METHODS and not token.may_write:
                    raise ApiError(403, "This token may only read.", "forbidden")
                request.api_token = token
                request.api_user = token.user
                response = view(request, *args, **kwargs)
            except ApiError as refusal:
                response = error(refusal)
            except PermissionDenied as refusal:
                response = error(
                    ApiError(403, str(refusal) or "Not allowed.", "forbidden")
                )
            except Http404 as missing:
                response = error(
                    ApiError(404, str(missing) or "Not found.", "not-found")
                )
            except ValidationError as invalid:
                response = error(ApiError(422, " ".join(invalid.messages), "invalid"))
            if response.status_code == 401:
                response["WWW-Authenticate"] = 'Bearer realm="api"'
            if token is not None:
                _log_use(token, request, response.status_code)
            return response

        return wrapped

    return decorate
