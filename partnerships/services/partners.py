"""Every write that touches several models, records history or sends mail.

Each service writes the change, records it in the partnership's history (Wagtail
audit log, with the labels registered in wagtail_hooks.py) and schedules any
e-mail after commit.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from .. import permissions
from ..emails import send_email
from ..models import (
    Invitation,
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    SustainabilityCommitment,
)

User = get_user_model()

__all__ = [
    "workspace_access_grant",
    "organisation_get_or_create",
    "partnership_create",
    "partnership_update",
    "participation_add",
    "participation_remove",
    "role_assign",
    "role_remove",
    "commitment_add",
    "commitment_remove",
    "invitation_token",
    "invitation_url",
    "invitation_from_token",
    "invitation_create",
    "invitation_send",
    "invitation_revoke",
    "invitation_accept",
    "InvitationInvalid",
]

WORKSPACE_GROUP = "Workspace users"
INVITATION_SALT = "partnerships.invitation"


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
def organisation_get_or_create(*, name: str, by) -> tuple[Organisation, bool]:
    name = " ".join(name.split())
    existing = Organisation.objects.filter(name__iexact=name).first()
    if existing:
        return existing, False
    organisation = Organisation(name=name)
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
def participation_add(
    *, partnership: Partnership, organisation: Organisation, role: str, by
) -> Participation:
    if Participation.objects.filter(
        partnership=partnership, organisation=organisation
    ).exists():
        raise ValidationError(
            f"{organisation.name} already takes part in this partnership."
        )
    participation = Participation.objects.create(
        partnership=partnership, organisation=organisation, role=role
    )
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
    log(
        partnership, "partnerships.remove_partner", user=by, data={"organisation": name}
    )


@transaction.atomic
def role_assign(
    *, participation: Participation, user, role: str, by
) -> PartnershipRole:
    if not Membership.objects.filter(
        user=user, organisation=participation.organisation
    ).exists():
        raise ValidationError(
            f"{user.get_full_name() or user.username} does not work for "
            f"{participation.organisation.name}. Invite them for that organisation "
            "first."
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


@transaction.atomic
def commitment_add(
    *, participation: Participation, by, **fields
) -> SustainabilityCommitment:
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
    data = {
        "organisation": participation.organisation.name,
        "commitment": str(commitment),
    }
    commitment.delete()
    log(participation.partnership, "partnerships.remove_commitment", user=by, data=data)


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    from django.conf import settings

    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "invitation_accept", args=[invitation_token(invitation)]
    )


class InvitationInvalid(Exception):
    """The link cannot be used; the message tells the person what to do."""


def invitation_from_token(token: str) -> Invitation:
    """The signature proves the link came from us; expiry and single use are
    decided by the stored invitation, so withdrawing one takes effect at once."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        raise InvitationInvalid(
            "This invitation link is not valid. Check that you copied the whole "
            "link from the e-mail, or ask the coordinator to send a new one."
        ) from None
    invitation = (
        Invitation.objects.select_related("partnership", "organisation", "invited_by")
        .filter(pk=data.get("i"))
        .first()
    )
    if invitation is None or invitation.revoked_at:
        raise InvitationInvalid(
            "This invitation was withdrawn. Ask the partnership's coordinator if you "
            "should still join."
        )
    if invitation.accepted_at:
        raise InvitationInvalid(
            "This invitation has already been used. Log in with your account, or "
            "reset your password if you have forgotten it."
        )
    if invitation.is_expired:
        raise InvitationInvalid(
            "This invitation has expired: links are valid for 7 days. Ask the "
            "partnership's coordinator to send a new one."
        )
    return invitation


@transaction.atomic
def invitation_create(
    *,
    partnership: Partnership,
    organisation: Organisation,
    email: str,
    role: str,
    by,
    message: str = "",
    partner_role: str = Participation.Role.PARTNER,
) -> Invitation:
    """Invite a person to act for an organisation in the partnership; the
    organisation joins the partnership now if it was not in it yet."""
    email = email.strip().lower()
    open_invitation = Invitation.objects.filter(
        partnership=partnership,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).first()
    if open_invitation and not open_invitation.is_expired:
        raise ValidationError(
            {
                "email": f"{email} was already invited on "
                f"{open_invitation.created_at:%d %B %Y}. Resend or withdraw that "
                "invitation from the People tab instead of inviting again."
            }
        )
    if open_invitation:
        # An expired invitation is replaced; its link stops working anyway.
        open_invitation.revoked_at = timezone.now()
        open_invitation.save(update_fields=["revoked_at"])
    if PartnershipRole.objects.filter(
        participation__partnership=partnership,
        participation__organisation=organisation,
        user__email__iexact=email,
    ).exists() or (
        Membership.objects.filter(
            organisation=organisation, user__email__iexact=email
        ).exists()
        and Participation.objects.filter(
            partnership=partnership, organisation=organisation
        ).exists()
        and role == Invitation.PersonRole.MEMBER
    ):
        raise ValidationError(
            {
                "email": f"{email} already works in this partnership for "
                f"{organisation.name}. Assign them a role from the People tab."
            }
        )
    participation = Participation.objects.filter(
        partnership=partnership, organisation=organisation
    ).first()
    if participation is None:
        participation_add(
            partnership=partnership, organisation=organisation, role=partner_role, by=by
        )
    invitation = Invitation.objects.create(
        partnership=partnership,
        organisation=organisation,
        email=email,
        role=role,
        message=message,
        invited_by=by,
    )
    log(
        partnership,
        "partnerships.invite",
        user=by,
        data={
            "email": email,
            "organisation": organisation.name,
            "role": invitation.get_role_display(),
        },
    )
    invitation_send(invitation=invitation)
    return invitation


def invitation_send(*, invitation: Invitation) -> None:
    send_email(
        "invitation",
        to=[invitation.email],
        context={"invitation": invitation, "accept_url": invitation_url(invitation)},
        reply_to=[invitation.invited_by.email] if invitation.invited_by else None,
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log(
        invitation.partnership,
        "partnerships.revoke_invitation",
        user=by,
        data={"email": invitation.email},
    )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user=None, account: dict | None = None
):
    """Accept for an existing, logged-in user, or create the account from
    `account` (username, first_name, last_name, password)."""
    # Lock the row so a double click cannot accept twice.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise InvitationInvalid("This invitation has already been used.")
    if user is None:
        try:
            user = User.objects.create_user(
                username=account["username"],
                email=invitation.email,
                password=account["password"],
                first_name=account.get("first_name", ""),
                last_name=account.get("last_name", ""),
            )
        except IntegrityError:
            raise ValidationError(
                {"username": "This username is taken. Choose another."}
            ) from None
    workspace_access_grant(user=user)
    Membership.objects.get_or_create(user=user, organisation=invitation.organisation)
    participation = Participation.objects.filter(
        partnership=invitation.partnership, organisation=invitation.organisation
    ).first()
    if participation is None:
        raise InvitationInvalid(
            f"{invitation.organisation.name} no longer takes part in this "
            "partnership, so the invitation cannot be used."
        )
    if invitation.role != Invitation.PersonRole.MEMBER:
        PartnershipRole.objects.get_or_create(
            participation=participation, user=user, role=invitation.role
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    log(
        invitation.partnership,
        "partnerships.accept_invitation",
        user=user,
        data={
            "email": invitation.email,
            "organisation": invitation.organisation.name,
            "role": invitation.get_role_display(),
        },
    )
    permissions.forget(user)
    return user
