"""Facts about the HTTP request that the access policy and the audit trail share."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The address of the person's own machine.

    Behind TRUSTED_PROXY_COUNT reverse proxies, each proxy appends the address it
    received the request from to X-Forwarded-For; the entry that many places from
    the right is the one our own outermost proxy saw. Anything further left was
    written by the client and cannot be trusted. Without proxies, REMOTE_ADDR.
    """
    if request is None:
        return ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
