"""Late referrals: what is due a reminder, and sending it once."""

from __future__ import annotations

import datetime

from django.utils import timezone

from partnerships import reminders

from .. import selectors
from ..models import Referral, ReferralProtocol
from .base import _event


def referral_due_reminders(now: datetime.datetime) -> list:
    """A late-acknowledgement or late-outcome reminder to the receiving
    organisation, once each per referral (keyed on the day it was requested)."""
    from partnerships import reminders
    from partnerships.emails import send_email
    from partnerships.models import PartnershipRole

    from .. import metrics as referral_metrics

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
