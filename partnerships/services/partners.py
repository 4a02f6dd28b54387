"""Every write that touches several models, records history or sends mail.

Each service writes the change, records it in the partnership's history (Wagtail
audit log, with the labels registered in wagtail_hooks.py) and schedules any
e-mail after commit.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed
from wagtail.log_actions import log

from .. import permissions
from ..models import (
    Invitation,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    SustainabilityCommitment,
)
from ..selectors import STATUS_MOVES

__all__ = [
    "workspace_access_grant",
    "organisation_get_or_create",
    "partnership_create",
    "partnership_update",
    "partnership_move",
    "participation_add",
    "participation_remove",
    "role_assign",
    "role_remove",
    "commitment_add",
    "commitment_remove",
]

WORKSPACE_GROUP = "Workspace users"


def _changed(before: dict, after: dict) -> dict:
    return {
        key: {"from": str(before.get(key)), "to": str(value)}
        for key, value in after.items()
        if before.get(key) != value
    }


def workspace_access_grant(*, user) -> None:
    """Partner staff reach the workspace through the Wagtail admin; this group holds
    the one permission that lets them log in to it."""
    group, created = Group.objects.get_or_create(name=WORKSPACE_GROUP)
    if created:
        # Normally made by migration 0002; recreated if someone deleted it.
        group.permissions.add(
            Permission.objects.get(
                content_type__app_label="wagtailadmin", codename="access_admin"
            )
        )
    user.groups.add(group)


@transaction.atomic
def organisation_get_or_create(
    *, name: str, by, email: str = "", website: str = ""
) -> tuple[Organisation, bool]:
    """The organisation of that name (spaces and case aside), or a new one with
    the given contact details. Every organisation is made here and logged."""
    name = " ".join(name.split())
    existing = Organisation.objects.filter(name__iexact=name).first()
    if existing:
        return existing, False
    organisation = Organisation(name=name, email=email, website=website)
    organisation.full_clean()
    organisation.save()
    log(organisation, "wagtail.create", user=by)
    return organisation, True


@transaction.atomic
def partnership_create(*, by, lead: Organisation, **fields) -> Partnership:
    """A new partnership led by one of the creator's organisations, with the
    creator as its first coordinator."""
    if not by.is_staff and lead.pk not in permissions.editing_org_ids_of(by):
        raise PermissionDenied(
            "You can only start a partnership for your own organisation."
        )
    partnership = Partnership(created_by=by, **fields)
    partnership.full_clean()
    partnership.save()
    participation = Participation.objects.create(
        partnership=partnership, organisation=lead, role=Participation.Role.LEAD
    )
    PartnershipRole.objects.create(
        participation=participation, user=by, role=PartnershipRole.Role.COORDINATOR
    )
    log(partnership, "wagtail.create", user=by)
    log(
        partnership,
        "partnerships.add_partner",
        user=by,
        data={"organisation": lead.name, "role": participation.get_role_display()},
    )
    permissions.forget(by)
    return partnership


@transaction.atomic
def partnership_update(*, partnership: Partnership, by, **fields) -> Partnership:
    if "status" in fields:
        raise ValueError("The status changes only through partnership_move.")
    permissions.require(by, partnership, "coordinate")
    before = {key: getattr(partnership, key) for key in fields}
    for key, value in fields.items():
        setattr(partnership, key, value)
    partnership.full_clean()
    partnership.save()
    changes = _changed(before, fields)
    if changes:
        log(partnership, "wagtail.edit", user=by, data={"changes": changes})
    return partnership


@transaction.atomic
def partnership_move(
    *, partnership: Partnership, by, move: str, reason: str = ""
) -> Partnership:
    """Move the partnership's status: forming → active, active → renewing →
    active, any → closed, and (hub staff) closed → active. A closed partnership
    needs the reason, which goes in the history."""
    if move not in STATUS_MOVES:
        raise ValidationError(f"“{move}” is not a status change.")
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    permissions.require(by, locked, "coordinate")
    reason = " ".join(reason.split())
    if move == "close" and not reason:
        raise ValidationError(
            "Say why the partnership closes; partners read it in the history."
        )
    method = getattr(locked, move)
    if not can_proceed(method, check_conditions=False):
        raise ValidationError(
            f"The partnership is {locked.get_status_display().lower()}: "
            f"“{STATUS_MOVES[move]}” is not possible now. Reload the page to see "
            "what is."
        )
    if not can_proceed(method):
        raise ValidationError(
            "A partnership works once at least two organisations take part. "
            "Add a partner organisation first."
        )
    before = locked.get_status_display()
    method()
    locked.save(update_fields=["status", "updated_at"])
    log(
        locked,
        "partnerships.status",
        user=by,
        data={"from": before, "to": locked.get_status_display(), "reason": reason},
    )
    partnership.status = locked.status
    return locked


@transaction.atomic
def participation_add(
    *, partnership: Partnership, organisation: Organisation, role: str, by
) -> Participation:
    permissions.require(by, partnership, "coordinate")
    if Participation.objects.filter(
        partnership=partnership, organisation=organisation
    ).exists():
        raise ValidationError(
            f"{organisation.name} already takes part in this partnership."
        )
    participation = Participation.objects.create(
        partnership=partnership, organisation=organisation, role=role
    )
    permissions.forget_partners(partnership)
    log(
        partnership,
        "partnerships.add_partner",
        user=by,
        data={
            "organisation": organisation.name,
            "role": participation.get_role_display(),
        },
    )
    return participation


@transaction.atomic
def participation_remove(*, participation: Participation, by) -> None:
    partnership = participation.partnership
    permissions.require(by, partnership, "coordinate")
    if participation.role == Participation.Role.LEAD:
        raise ValidationError(
            "The lead partner cannot be removed. Make another organisation the lead "
            "first."
        )
    name = participation.organisation.name
    Invitation.objects.filter(
        partnership=partnership,
        organisation=participation.organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    participation.delete()
    permissions.forget_partners(partnership)
    log(
        partnership, "partnerships.remove_partner", user=by, data={"organisation": name}
    )


@transaction.atomic
def role_assign(
    *, participation: Participation, user, role: str, by
) -> PartnershipRole:
    permissions.require(by, participation.partnership, "coordinate")
    if not permissions.may_hold_role(user, participation.organisation):
        raise ValidationError(
            f"{user.get_full_name() or user.username} does not act for "
            f"{participation.organisation.name} (leadership viewers follow "
            "partnerships read-only). Roles go to the organisation's own members; "
            "propose a person for that organisation first."
        )
    assigned, created = PartnershipRole.objects.get_or_create(
        participation=participation, user=user, role=role
    )
    if created:
        log(
            participation.partnership,
            "partnerships.assign_role",
            user=by,
            data={
                "person": user.get_full_name() or user.username,
                "organisation": participation.organisation.name,
                "role": assigned.get_role_display(),
            },
        )
    permissions.forget(user)
    return assigned


@transaction.atomic
def role_remove(*, assigned: PartnershipRole, by) -> None:
    partnership = assigned.participation.partnership
    permissions.require(by, partnership, "coordinate")
    if (
        assigned.role == PartnershipRole.Role.COORDINATOR
        and not PartnershipRole.objects.filter(
            participation__partnership=partnership,
            role=PartnershipRole.Role.COORDINATOR,
        )
        .exclude(pk=assigned.pk)
        .exists()
    ):
        raise ValidationError(
            "A partnership needs at least one coordinator. Assign another "
            "coordinator before removing this one."
        )
    data = {
        "person": assigned.user.get_full_name() or assigned.user.username,
        "organisation": assigned.participation.organisation.name,
        "role": assigned.get_role_display(),
    }
    assigned.delete()
    log(partnership, "partnerships.remove_role", user=by, data=data)


def _require_act_for(by, participation: Participation) -> None:
    if not permissions.can_act_for(
        by, participation.partnership, participation.organisation_id
    ):
        raise PermissionDenied(
            f"Only {participation.organisation.name} or the partnership's "
            "coordinators change what it commits."
        )


@transaction.atomic
def commitment_add(
    *, participation: Participation, by, **fields
) -> SustainabilityCommitment:
    _require_act_for(by, participation)
    commitment = SustainabilityCommitment(participation=participation, **fields)
    commitment.full_clean()
    commitment.save()
    log(
        participation.partnership,
        "partnerships.add_commitment",
        user=by,
        data={
            "organisation": participation.organisation.name,
            "commitment": str(commitment),
        },
    )
    return commitment


@transaction.atomic
def commitment_remove(*, commitment: SustainabilityCommitment, by) -> None:
    participation = commitment.participation
    _require_act_for(by, participation)
    data = {
        "organisation": participation.organisation.name,
        "commitment": str(commitment),
    }
    commitment.delete()
    log(participation.partnership, "partnerships.remove_commitment", user=by, data=data)
