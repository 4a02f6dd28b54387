"""Reads of MOUs that are not screens: which executed agreement a fingerprint
belongs to."""

from __future__ import annotations

import re

from .models import MOU

HEX = re.compile(r"[0-9a-f]+")


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as people copy it (spaces, capitals) in its stored form."""
    return "".join((text or "").split()).lower()


def executed_with_fingerprint(fingerprint: str) -> MOU | None:
    """The executed (possibly since ended) MOU whose signed text has this
    SHA-256: the full 64 digits, or the 16 printed in each page's footer."""
    fingerprint = normalise_fingerprint(fingerprint)
    if not HEX.fullmatch(fingerprint) or len(fingerprint) not in (16, 64):
        return None
    executed = MOU.objects.filter(executed_at__isnull=False)
    if len(fingerprint) == 64:
        return executed.filter(frozen_hash=fingerprint).first()
    return executed.filter(frozen_hash__startswith=fingerprint).first()
