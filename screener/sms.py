"""Text messages behind a pluggable sender: `SMS_BACKEND` names a class with
`send(to, body)`. The console backend (the default) prints; tests use the
in-memory one; a provider's backend is a class of a few lines."""

from __future__ import annotations

import re
import sys

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list[tuple[str, str]] = []


class ConsoleBackend:
    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}:\n{body}\n\n")


class LocmemBackend:
    """Keeps messages in `screener.sms.outbox` (tests)."""

    def send(self, to: str, body: str) -> None:
        outbox.append((to, body))


def phone_number(raw: str) -> str | None:
    """A US mobile number as +1 and ten digits, or None."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return None
    return f"+1{digits}"


def send_sms(to: str, body: str) -> None:
    backend = getattr(settings, "SMS_BACKEND", "screener.sms.ConsoleBackend")
    import_string(backend)().send(to, body)
