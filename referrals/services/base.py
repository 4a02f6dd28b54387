"""What every referral write shares: the row lock, the checked transition,
the history row and audit entry, and the notice to the other party."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import can_proceed
from wagtail.log_actions import log

from partnerships import permissions

from .. import lifecycle
from ..models import Referral, ReferralEvent


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
