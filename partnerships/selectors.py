"""Reads that are not a single view's: what several pages and services ask of
partnerships. Each takes the user and applies the access policy itself."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from . import permissions
from .models import Invitation, Partnership, PartnershipRole
from .next_steps import PER_APP, NextStep

# What each status move is called on screen and in messages; the model's
# transitions say from which status each may happen.
STATUS_MOVES = {
    "activate": "Mark active",
    "start_renewal": "Start renewal",
    "renew": "Mark renewed",
    "close": "Close the partnership",
    "reopen": "Reopen",
}


def status_moves(partnership: Partnership, user) -> list[tuple[str, str]]:
    """The status moves this user may make now, as (move, label); conditions
    (two partners) are checked when the move is made, so the refusal can say
    what to do."""
    if not permissions.can_coordinate(user, partnership):
        return []
    available = {
        transition.name for transition in partnership.get_available_status_transitions()
    }
    return [(move, label) for move, label in STATUS_MOVES.items() if move in available]


def participations(partnership: Partnership):
    """The partner organisations with their people and commitments, lead first:
    three queries however many partners."""
    return (
        partnership.participations.select_related("organisation")
        .prefetch_related(
            Prefetch("people", queryset=PartnershipRole.objects.select_related("user")),
            "commitments",
        )
        .order_by("role", "organisation__name")
    )


def partnership_history(partnership: Partnership):
    """The partnership's history, newest first, for everyone who sees it.

    Referral events concern one client and the two organisations that handle
    them; they are listed on the referral itself, to those two only (older
    versions logged them on the partnership, hence the exclusion)."""
    return (
        ModelLogEntry.objects.filter(
            content_type__app_label="partnerships",
            content_type__model="partnership",
            object_id=str(partnership.pk),
        )
        .exclude(
            Q(action="partnerships.refer")
            | (
                Q(action__startswith="partnerships.referral_")
                & ~Q(action="partnerships.referral_protocol")
            )
        )
        .select_related("user")
        .order_by("-timestamp", "-pk")
    )


def people_awaiting_approval(user):
    """Invitations proposed for organisations this user administers, waiting
    for them to confirm or decline."""
    return (
        Invitation.objects.filter(
            organisation_id__in=permissions.administered_org_ids(user),
            approved_at__isnull=True,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .select_related("organisation", "partnership")
        .order_by("created_at", "pk")
    )


def invitations_to_accept(user):
    """Invitations addressed to this person's e-mail that they can accept now:
    approved by the organisation, not used, withdrawn or expired."""
    if not user.email:
        return Invitation.objects.none()
    oldest_valid = timezone.now() - datetime.timedelta(
        seconds=settings.INVITATION_MAX_AGE
    )
    return (
        Invitation.objects.filter(
            email__iexact=user.email,
            approved_at__gt=oldest_valid,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .select_related("organisation", "partnership")
        .order_by("approved_at", "pk")
    )


def next_steps(user) -> list:
    """Invitations waiting for the person to accept. Organisation
    administrators: people partners proposed for their organisation.
    Coordinators: partnerships still forming with one partner."""
    # Imported here: the services import this module's status moves.
    from .services.people import invitation_token

    steps = [
        NextStep(
            "partnerships.accept_invitation",
            f"Accept the invitation to join {invitation.partnership.name} for "
            f"{invitation.organisation.name}",
            reverse("invitation_accept", args=[invitation_token(invitation)]),
            due=(invitation.expires_at).date(),
        )
        for invitation in invitations_to_accept(user)[:PER_APP]
    ]
    steps += [
        NextStep(
            "partnerships.approve_person",
            f"Confirm or decline {invitation.email} for "
            f"{invitation.organisation.name} ({invitation.partnership.name})",
            reverse("partnerships:organisation", args=[invitation.organisation_id]),
        )
        for invitation in people_awaiting_approval(user)[:PER_APP]
    ]
    alone = (
        permissions.visible_partnerships(user)
        .filter(status=Partnership.Status.FORMING)
        .annotate(partners=Count("participations"))
        .filter(partners__lt=2)
        .order_by("name", "pk")[:PER_APP]
    )
    for partnership in alone:
        if permissions.can_coordinate(user, partnership):
            steps.append(
                NextStep(
                    "partnerships.invite_partner",
                    f"Invite a partner organisation to {partnership.name}",
                    reverse("partnerships:invite", args=[partnership.pk]),
                )
            )
    return steps
