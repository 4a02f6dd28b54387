"""Writes for referrals: the protocol, making a referral, moving it through
its lifecycle, consent and the feedback that closes the loop."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from .. import permissions
from .. import referral_lifecycle as lifecycle
from ..models import (
    Organisation,
    Partnership,
    Referral,
    ReferralEvent,
    ReferralProtocol,
)

__all__ = [
    "protocol_save",
    "referral_create",
    "referral_move",
    "referral_feedback",
    "referral_consent_revoke",
    "referral_sides",
    "referral_viewed",
]

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


def referral_sides(user, referral: Referral) -> set[str]:
    """Which side(s) of the referral the user acts for."""
    if user.is_staff:
        return {lifecycle.SENDER, lifecycle.RECEIVER}
    orgs = permissions.editing_organisations(user, referral.partnership)
    sides = set()
    if referral.sender_id in orgs:
        sides.add(lifecycle.SENDER)
    if referral.receiver_id in orgs:
        sides.add(lifecycle.RECEIVER)
    return sides


def _event(
    referral,
    by,
    organisation,
    *,
    from_status="",
    to_status="",
    kind="status",
    reason="",
):
    ReferralEvent.objects.create(
        referral=referral,
        by=by,
        organisation=organisation,
        from_status=from_status,
        to_status=to_status,
        kind=kind,
        reason=reason,
    )


def _check_value(field: dict, value):
    if value in (None, ""):
        if field["required"]:
            raise ValidationError(f"“{field['label']}” is required by the protocol.")
        return None
    if field["type"] == "date":
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationError(
                f"“{field['label']}” must be a date (YYYY-MM-DD)."
            ) from None
    if field["type"] == "choice" and value not in field["choices"]:
        raise ValidationError(f"“{value}” is not a choice for “{field['label']}”.")
    if field["type"] == "yesno":
        return bool(value) and value not in ("no", "false", "0")
    return str(value)[:1000]


@transaction.atomic
def referral_create(
    *,
    partnership: Partnership,
    by,
    sender: Organisation,
    receiver: Organisation,
    local_reference: str,
    initials: str,
    birth_year: int,
    details: dict | None = None,
    consent: dict | None = None,
    demographics: dict | None = None,
    off_platform: bool = False,
    requested_at=None,
) -> Referral:
    protocol = ReferralProtocol.objects.filter(partnership=partnership).first()
    if protocol is None:
        raise ValidationError("This partnership has no referral protocol yet.")
    if sender.pk not in permissions.editing_organisations(by, partnership):
        raise PermissionDenied("You can only refer on behalf of your own organisation.")
    parties = set(partnership.participations.values_list("organisation_id", flat=True))
    if receiver.pk not in parties or receiver.pk == sender.pk:
        raise ValidationError(
            "Choose another organisation of this partnership to refer to."
        )
    cleaned = {
        f["name"]: _check_value(f, (details or {}).get(f["name"]))
        for f in protocol.fields
    }
    consent = consent or {}
    if protocol.consent_required:
        if not consent.get("given"):
            raise ValidationError(
                "The protocol requires the client's consent before a referral is "
                "sent. Record who gave consent and its scope."
            )
        expires = consent.get("expires")
        if expires and expires < timezone.localdate():
            raise ValidationError("The consent has expired; ask the client again.")
        if not consent.get("by", "").strip():
            raise ValidationError("Say who gave consent.")
    demographics = demographics if protocol.collect_demographics else {}
    referral = Referral(
        partnership=partnership,
        protocol_version=protocol.version,
        sender=sender,
        receiver=receiver,
        created_by=by,
        off_platform=off_platform,
        local_reference=local_reference.strip(),
        initials=initials.strip().upper(),
        birth_year=birth_year,
        details=cleaned,
        race_ethnicity=(demographics or {}).get("race_ethnicity", ""),
        language=(demographics or {}).get("language", ""),
        zip_code=(demographics or {}).get("zip_code", ""),
        consent_given=bool(consent.get("given")),
        consent_by=consent.get("by", ""),
        consent_at=timezone.now() if consent.get("given") else None,
        consent_scope=consent.get("scope", ""),
        consent_expires=consent.get("expires"),
        requested_at=requested_at or timezone.now(),
    )
    referral.full_clean()
    referral.save()
    _event(
        referral,
        by,
        sender,
        to_status=Referral.Status.REQUESTED,
        kind="logged" if off_platform else "status",
    )
    log(
        partnership,
        "partnerships.refer",
        user=by,
        data={"sender": sender.name, "receiver": receiver.name},
    )
    return referral


@transaction.atomic
def referral_move(
    *, referral: Referral, by, status: str, reason: str = "", at=None
) -> Referral:
    """Move a referral along its lifecycle; refused moves change nothing."""
    referral = (
        Referral.objects.select_for_update()
        .select_related("partnership")
        .get(pk=referral.pk)
    )
    sides = referral_sides(by, referral)
    if not sides:
        raise PermissionDenied
    if not lifecycle.allowed(referral.status, status):
        wanted = (
            Referral.Status(status).label.lower()
            if status in Referral.Status.values
            else status
        )
        raise ValidationError(
            f"A referral that is {referral.get_status_display().lower()} cannot "
            f"become {wanted}."
        )
    if not any(lifecycle.may_move(side, status) for side in sides):
        raise PermissionDenied("Only the receiving organisation updates this status.")
    reason = reason.strip()
    if status in lifecycle.NEEDS_REASON and not reason:
        raise ValidationError(
            f"Give a reason when a referral is {Referral.Status(status).label.lower()}."
        )
    at = at or timezone.now()
    before = referral.status
    referral.status = status
    referral.status_reason = reason
    if status == "accepted" and not referral.acknowledged_at:
        referral.acknowledged_at = at
    if status in ("rejected",) and not referral.acknowledged_at:
        referral.acknowledged_at = at
    if status == "in-progress" and not referral.served_at:
        referral.served_at = at
    if status in lifecycle.FINAL:
        referral.finished_at = at
    referral.save()
    organisation_id = (
        referral.receiver_id if lifecycle.RECEIVER in sides else referral.sender_id
    )
    _event(
        referral,
        by,
        Organisation(pk=organisation_id),
        from_status=before,
        to_status=status,
        reason=reason,
    )
    return referral


@transaction.atomic
def referral_feedback(
    *, referral: Referral, by, feedback: str, satisfaction: int | None = None
) -> Referral:
    """The receiver reports the outcome to the sender: the loop closes."""
    referral = (
        Referral.objects.select_for_update()
        .select_related("partnership", "receiver")
        .get(pk=referral.pk)
    )
    if lifecycle.RECEIVER not in referral_sides(by, referral):
        raise PermissionDenied
    if referral.status not in lifecycle.FINAL:
        raise ValidationError("Feedback closes the loop once the referral is finished.")
    if not feedback.strip():
        raise ValidationError("Tell the sender what happened.")
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValidationError("Satisfaction runs from 1 to 5.")
    referral.feedback = feedback.strip()
    referral.satisfaction = satisfaction
    referral.loop_closed_at = timezone.now()
    referral.save(
        update_fields=["feedback", "satisfaction", "loop_closed_at", "updated_at"]
    )
    _event(referral, by, referral.receiver, kind="feedback")
    return referral


@transaction.atomic
def referral_consent_revoke(*, referral: Referral, by, note: str = "") -> Referral:
    if not referral_sides(by, referral):
        raise PermissionDenied
    referral.consent_revoked_at = timezone.now()
    referral.save(update_fields=["consent_revoked_at", "updated_at"])
    _event(referral, by, referral.sender, kind="consent revoked", reason=note)
    return referral


def referral_viewed(*, referral: Referral, by) -> None:
    """Each view of client data is logged."""
    _event(referral, by, None, kind="viewed")
