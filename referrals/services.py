"""Writes for referrals: the protocol, making a referral, moving it through
its lifecycle, consent and the feedback that closes the loop."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed
from wagtail import hooks
from wagtail.log_actions import log

from partnerships import permissions, reminders
from partnerships.models import Organisation, Partnership

from . import lifecycle, selectors
from .models import Referral, ReferralEvent, ReferralProtocol

__all__ = [
    "protocol_save",
    "referral_create",
    "referral_move",
    "referral_feedback",
    "referral_consent_revoke",
    "referral_viewed",
    "referral_due_reminders",
    "referral_reminders_send",
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


def _record(referral: Referral, verb: str, *, by, data: dict) -> None:
    """The Wagtail audit entry, on the referral itself (never the partnership:
    only the two organisations may learn of a referral). No client details."""
    log(
        referral,
        f"partnerships.referral_{verb}",
        user=by,
        title=str(referral),
        data={
            "sender": referral.sender.name,
            "receiver": referral.receiver.name,
            **data,
        },
    )


def _notify(referral: Referral, *, to_side: str, change: str) -> None:
    """Tell the other party that something changed, with a link and no client
    details; who may still read it is checked again when the mail leaves."""
    from partnerships.emails import send_email

    send_email(
        "referral-changed",
        to=permissions.referral_party_addresses(referral, to_side),
        context={
            "sender": referral.sender.name,
            "receiver": referral.receiver.name,
            "partnership": referral.partnership.name,
            "change": change,
            "url": _absolute(referral.get_absolute_url()),
        },
        partnership=referral.partnership,
    )


def _absolute(path: str) -> str:
    from django.conf import settings

    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return f"{base.rstrip('/')}{path}"


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


def _locked(referral: Referral) -> Referral:
    # of=("self",): lock the referral's row, not its partnership and parties.
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("partnership", "sender", "receiver")
        .get(pk=referral.pk)
    )


def _label(status: str) -> str:
    if status in Referral.Status.values:
        return Referral.Status(status).label.lower()
    return status


def _transition_checked(referral: Referral) -> None:
    """Called between the checks and the write. Does nothing: it is the seam
    where the concurrency tests hold one caller to let the other catch up."""


def _change(
    referral: Referral,
    name: str,
    *,
    by,
    verb: str,
    refused: str,
    denied: str,
    unmet: str,
    event: dict,
    data: dict,
    change: str,
    check=None,
    **kwargs,
) -> Referral:
    """The one way a referral changes: on the locked row, refuse what its state
    does not allow (`refused`), what the policy does not give the user
    (`denied`) and what the row does not hold (`unmet`), then run the
    transition, save, write the history row and the audit entry, and queue the
    other party's mail for after the commit. Refused changes write nothing."""
    method = getattr(referral, name)
    meta = method._django_fsm
    if not can_proceed(method, check_conditions=False):
        raise ValidationError(refused)
    if not meta.has_transition_perm(referral, referral.status, by):
        raise PermissionDenied(denied)
    if check is not None:
        check()  # what the person asked, once we know they may ask it
    if not can_proceed(method):
        raise ValidationError(unmet)
    _transition_checked(referral)
    before = referral.status
    method(**kwargs)
    referral.save()
    sender_acts = event.pop("side") == lifecycle.SENDER
    organisation = referral.sender if sender_acts else referral.receiver
    _event(
        referral,
        by,
        organisation,
        from_status=before if referral.status != before else "",
        to_status=referral.status if referral.status != before else "",
        **event,
    )
    _record(referral, verb, by=by, data=data)
    _notify(
        referral,
        to_side=lifecycle.RECEIVER if sender_acts else lifecycle.SENDER,
        change=change,
    )
    return referral


def _require_party(referral: Referral, by, message: str) -> set[str]:
    sides = permissions.referral_sides(by, referral)
    if not sides:
        raise PermissionDenied(message)
    return sides


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


def referral_due_reminders(now: datetime.datetime) -> list:
    """A late-acknowledgement or late-outcome reminder to the receiving
    organisation, once each per referral (keyed on the day it was requested)."""
    from partnerships import reminders
    from partnerships.emails import send_email
    from partnerships.models import PartnershipRole

    from . import metrics as referral_metrics

    protocols = {p.partnership_id: p for p in ReferralProtocol.objects.all()}
    late = selectors.open_referrals()

    def sender(referral: Referral, kind: str):
        def send() -> None:
            # The history row stays: the referral's timeline shows the nudge.
            _event(referral, None, referral.receiver, kind=kind)
            send_email(
                "referral-late",
                to=list(
                    PartnershipRole.objects.filter(
                        participation__partnership_id=referral.partnership_id,
                        participation__organisation_id=referral.receiver_id,
                        role__in=["contact", "coordinator"],
                    ).values_list("user__email", flat=True)
                ),
                context={"referral": referral, "kind": kind},
            )

        return send

    dues = []
    for referral in late.iterator(chunk_size=500):
        protocol = protocols.get(referral.partnership_id)
        if protocol is None:
            continue
        ack = datetime.timedelta(
            days=referral_metrics.working_days_as_calendar(protocol.acknowledge_days)
        )
        if referral.status == "requested" and referral.requested_at + ack < now:
            what = "acknowledge"
        elif (
            referral.requested_at + datetime.timedelta(days=protocol.outcome_days) < now
        ):
            what = "outcome"
        else:
            continue
        dues.append(
            reminders.Due(
                referral,
                f"referral.{what}",
                timezone.localdate(referral.requested_at),
                sender(referral, f"reminder: {what}"),
            )
        )
    return dues


def referral_reminders_send(*, now=None) -> int:
    """Tell the receiving organisation when acknowledgement or outcome is late,
    once each."""
    return sum(
        reminders.send_all(referral_due_reminders(now or timezone.now())).values()
    )
