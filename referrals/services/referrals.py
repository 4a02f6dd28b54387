"""Making a referral and moving it through its lifecycle: moves, the
feedback that closes the loop, and revoked consent."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partnerships import permissions
from partnerships.models import Organisation, Partnership

from .. import lifecycle, selectors
from ..models import Referral
from .base import _change, _event, _label, _locked, _notify, _record, _require_party


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
    protocol = selectors.protocol_of(partnership=partnership)
    if protocol is None:
        raise ValidationError("This partnership has no referral protocol yet.")
    if not permissions.can_edit(by, partnership) or sender.pk not in (
        permissions.editing_organisations(by, partnership)
    ):
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
    _record(referral, "create", by=by, data={"to": Referral.Status.REQUESTED})
    _notify(
        referral,
        to_side=lifecycle.RECEIVER,
        change=f"was sent to {receiver.name}",
    )
    return referral


@transaction.atomic
def referral_move(
    *, referral: Referral, by, status: str, reason: str = "", at=None
) -> Referral:
    """Move a referral along its lifecycle (the transitions on `Referral` say
    from where; the policy's `may_move` who); refused moves change nothing."""
    referral = _locked(referral)
    _require_party(referral, by, "Only the two organisations in a referral update it.")
    before = referral.status
    name = Referral.MOVES_BY_TARGET.get(status)
    refused = (
        f"A referral that is {referral.get_status_display().lower()} cannot "
        f"become {_label(status)}."
    )
    if name is None:
        raise ValidationError(refused)
    if status in lifecycle.BY_SENDER:
        denied = (
            f"Only the sending organisation can mark a referral {_label(status)}; "
            "to stop it, reject it or record that it failed, with a reason."
        )
    else:
        denied = "Only the receiving organisation updates this status."
    # The transition's condition reads the reason from the row.
    referral.status_reason = reason.strip()
    side = (
        lifecycle.RECEIVER
        if permissions.referral_acting_organisation(by, referral, status)
        == referral.receiver_id
        else lifecycle.SENDER
    )
    return _change(
        referral,
        name,
        by=by,
        verb="move",
        refused=refused,
        denied=denied,
        unmet=f"Give a reason when a referral is {_label(status)}.",
        event={"side": side, "reason": referral.status_reason},
        data={"from": before, "to": status},
        change=f"changed from {_label(before)} to {_label(status)}",
        at=at or timezone.now(),
    )


@transaction.atomic
def referral_feedback(
    *, referral: Referral, by, feedback: str, satisfaction: int | None = None
) -> Referral:
    """The receiver reports the outcome to the sender: the loop closes, once."""
    referral = _locked(referral)
    # Before the state check: someone outside the referral learns nothing of
    # its status from the refusal.
    _require_party(referral, by, "Only the receiving organisation reports the outcome.")

    def check() -> None:
        if not feedback.strip():
            raise ValidationError("Tell the sender what happened.")
        if satisfaction is not None and not 1 <= satisfaction <= 5:
            raise ValidationError("Satisfaction runs from 1 to 5.")

    return _change(
        referral,
        "close_loop",
        by=by,
        verb="feedback",
        refused="Feedback closes the loop once the referral is completed, failed "
        "or rejected. Update its status first.",
        denied="Only the receiving organisation reports the outcome.",
        unmet="The loop is already closed: the sender has the outcome.",
        event={"side": lifecycle.RECEIVER, "kind": "feedback"},
        data={},
        change="has its outcome: loop closed",
        check=check,
        at=timezone.now(),
        feedback=feedback.strip(),
        satisfaction=satisfaction,
    )


@transaction.atomic
def referral_consent_revoke(*, referral: Referral, by, reason: str) -> Referral:
    """Either party records that the client withdrew consent: from then on
    nobody reads the client's details, only that the referral exists."""
    referral = _locked(referral)
    only_parties = "Only the two organisations in a referral record a revoked consent."
    # Whether the user may is the transition's permission (the policy), checked
    # in _change; here only whom they act for.
    sides = permissions.referral_sides(by, referral)
    reason = reason.strip()

    def check() -> None:
        if not reason:
            raise ValidationError("Say how and when the client revoked consent.")

    side = lifecycle.SENDER if lifecycle.SENDER in sides else lifecycle.RECEIVER
    organisation = referral.sender if side == lifecycle.SENDER else referral.receiver
    return _change(
        referral,
        "revoke_consent",
        by=by,
        verb="consent_revoke",
        refused="Consent for this referral cannot be revoked.",
        denied=only_parties,
        unmet="Consent for this referral is already revoked.",
        event={"side": side, "kind": "consent revoked", "reason": reason[:300]},
        data={"by": organisation.name},
        change="had its consent revoked",
        check=check,
        at=timezone.now(),
    )


def referral_viewed(*, referral: Referral, by) -> None:
    """Each view of client data is logged."""
    _event(referral, by, None, kind="viewed")
