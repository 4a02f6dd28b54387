"""The referral protocol: when and how partners refer, the data a referral
carries and the consent it needs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from wagtail import hooks
from wagtail.log_actions import log

from partnerships import permissions
from partnerships.models import Partnership

from ..models import ReferralProtocol

FIELD_TYPES = {"text", "date", "choice", "yesno"}


def _clean_fields(fields: list[dict]) -> list[dict]:
    cleaned, names = [], set()
    for field in fields:
        name = str(field.get("name", "")).strip().lower().replace(" ", "_")
        if not name or not name.isidentifier():
            raise ValidationError(f"“{field.get('name')}” is not a usable field name.")
        if name in names:
            raise ValidationError(f"The field “{name}” appears twice.")
        kind = field.get("type", "text")
        if kind not in FIELD_TYPES:
            raise ValidationError(
                f"Field type “{kind}” is not one of text, date, choice, yesno."
            )
        choices = [c.strip() for c in field.get("choices", []) if c.strip()]
        if kind == "choice" and not choices:
            raise ValidationError(f"Give the choices for “{name}”.")
        names.add(name)
        cleaned.append(
            {
                "name": name,
                "label": field.get("label") or name,
                "type": kind,
                "required": bool(field.get("required")),
                "choices": choices,
            }
        )
    return cleaned


@transaction.atomic
def protocol_save(*, partnership: Partnership, by, **values) -> ReferralProtocol:
    if not permissions.can_coordinate(by, partnership):
        raise PermissionDenied
    values["fields"] = _clean_fields(values.get("fields", []))
    if values.get("consent_required") and not values.get("consent_text", "").strip():
        raise ValidationError("Write the consent text partners read to the client.")
    # Another app may hold the protocol as part of an agreement in force (the
    # MOU's referral-methods section); it says so through this hook, so the
    # referral app needs to know nothing of MOUs.
    for locked_by in hooks.get_hooks("referral_protocol_locked"):
        reason = locked_by(partnership)
        if reason:
            raise ValidationError(reason)
    protocol = ReferralProtocol.objects.filter(partnership=partnership).first()
    if protocol is None:
        protocol = ReferralProtocol(partnership=partnership)
    else:
        protocol.version += 1
    for key, value in values.items():
        setattr(protocol, key, value)
    protocol.updated_by = by
    protocol.full_clean()
    protocol.save()
    log(
        partnership,
        "partnerships.referral_protocol",
        user=by,
        data={"version": protocol.version},
    )
    return protocol
