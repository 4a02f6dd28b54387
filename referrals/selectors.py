"""Reads of referrals for the screens, the reminders and the figures (HackSoft
style: keyword-only functions; writes are in services.py). Who may see which
referral is the access policy's rule, so every list of referrals starts from
`permissions.referrals_visible_to` or `referrals_counted_for`."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.urls import reverse

from partnerships import permissions
from partnerships.models import Organisation, Partnership
from partnerships.next_steps import NextStep

from . import lifecycle
from .metrics import working_days_as_calendar
from .models import Referral, ReferralEvent, ReferralProtocol

# What a referral list shows beside each row.
_ROW = ("sender", "receiver", "partnership")


def protocol_of(*, partnership: Partnership | int) -> ReferralProtocol | None:
    """The partnership's referral protocol, if it has agreed one."""
    return ReferralProtocol.objects.filter(partnership=partnership).first()


def referral_list(
    *, user, partnership: Partnership, status: str = ""
) -> QuerySet[Referral]:
    """The partnership's referrals the user sees, newest first, optionally of
    one status (an unknown status is ignored)."""
    referrals = permissions.referrals_visible_to(
        user, Referral.objects.filter(partnership=partnership)
    ).select_related(*_ROW)
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    return referrals.order_by("-requested_at", "-pk")


def referrals_waiting(*, user, partnership: Partnership) -> int:
    """Referrals sent to the user's organisations that nobody answered yet."""
    mine = permissions.editing_organisations(user, partnership)
    if not mine:
        return 0
    return permissions.referrals_visible_to(
        user,
        Referral.objects.filter(
            partnership=partnership, receiver__in=mine, status="requested"
        ),
    ).count()


def referral_get(*, user, partnership: Partnership, pk: int) -> Referral | None:
    """One referral of the partnership, if the user sees it."""
    return (
        permissions.referrals_visible_to(
            user, Referral.objects.filter(partnership=partnership)
        )
        .select_related(*_ROW)
        .filter(pk=pk)
        .first()
    )


def referral_history(*, referral: Referral) -> list[ReferralEvent]:
    """The referral's timeline as its parties read it (views of the client's
    details are logged, but not listed)."""
    return list(referral.events.select_related("by").exclude(kind="viewed"))


def inbox(*, user) -> QuerySet[Referral]:
    """Unfinished referrals sent to the user's organisations, oldest first."""
    organisations = permissions.organisations_of(user)
    return (
        permissions.referrals_visible_to(
            user, Referral.objects.filter(receiver__in=organisations)
        )
        .exclude(status__in=lifecycle.FINAL)
        .select_related(*_ROW)
        .order_by("requested_at", "pk")
    )


def with_acknowledgement_clock(
    referrals: list[Referral], *, now: datetime.datetime
) -> list[Referral]:
    """Set `ack_due` and `ack_late` on each referral from its protocol's
    acknowledgement deadline (one query for all the protocols)."""
    protocols = {
        p.partnership_id: p
        for p in ReferralProtocol.objects.filter(
            partnership__in={r.partnership_id for r in referrals}
        )
    }
    for referral in referrals:
        protocol = protocols.get(referral.partnership_id)
        days = working_days_as_calendar(protocol.acknowledge_days if protocol else 2)
        referral.ack_due = referral.requested_at + datetime.timedelta(days=days)
        referral.ack_late = referral.status == "requested" and referral.ack_due < now
    return referrals


def referrals_counted(*, user, partnership: Partnership) -> QuerySet[Referral]:
    """The partnership's referrals in the user's figures (the metrics module
    decides which figures of them may be shown)."""
    return permissions.referrals_counted_for(
        user, Referral.objects.filter(partnership=partnership)
    )


def partner_names(*, partnership: Partnership) -> dict[int, str]:
    return dict(
        Organisation.objects.filter(
            participations__partnership=partnership
        ).values_list("pk", "name")
    )


def referral_pairs(*, counted: QuerySet[Referral], partnership) -> list[tuple]:
    """The (sender, receiver) pairs among the referrals counted for the user,
    as ("<sender id>-<receiver id>", "Sender → Receiver") choices."""
    names = partner_names(partnership=partnership)
    return [
        (
            f"{sender}-{receiver}",
            f"{names.get(sender, '?')} → {names.get(receiver, '?')}",
        )
        for sender, receiver in counted.values_list("sender_id", "receiver_id")
        .distinct()
        .order_by("sender_id", "receiver_id")
    ]


def open_referrals() -> QuerySet[Referral]:
    """Referrals still under way (for the late reminders)."""
    return (
        Referral.objects.exclude(status__in=lifecycle.FINAL)
        .filter(loop_closed_at__isnull=True)
        .select_related("partnership", "receiver")
    )


def next_steps(user) -> list[NextStep]:
    """One step for the inbox when new referrals wait for an answer: a count
    and a link, no client details. One query."""
    acting = permissions.editing_org_ids_of(user)
    if not acting:
        return []
    waiting = permissions.referrals_visible_to(
        user,
        Referral.objects.filter(
            receiver_id__in=acting, status=Referral.Status.REQUESTED
        ),
    ).count()
    if not waiting:
        return []
    return [
        NextStep(
            "referral.inbox",
            "A new referral is waiting in your inbox"
            if waiting == 1
            else f"{waiting} new referrals are waiting in your inbox",
            reverse("referrals:inbox"),
            urgent=True,
        )
    ]
