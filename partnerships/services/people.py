"""Who works for whom: invitations, the proposals an organisation confirms or
declines, and its administrators' changes to its people.

An organisation owns its membership: only its administrators or hub staff make
someone its member (see permissions.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
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
)
from .partners import (
    organisation_get_or_create,
    participation_add,
    partnership_create,
    workspace_access_grant,
)

User = get_user_model()

__all__ = [
    "partnership_start",
    "invitation_token",
    "invitation_url",
    "invitation_from_token",
    "invitation_create",
    "invitation_send",
    "invitation_revoke",
    "invitation_approve",
    "invitation_decline",
    "invitation_accept",
    "membership_update",
    "membership_remove",
    "InvitationInvalid",
]

INVITATION_SALT = "partnerships.invitation"


@transaction.atomic
def partnership_start(
    *,
    by,
    lead: Organisation,
    partners: list[dict] = (),
    coordinator_signs: bool = False,
    **fields,
) -> tuple[Partnership, list[Invitation]]:
    """A partnership in one step: created with its creator as coordinator (and,
    when they say so, as their organisation's signatory), each partner
    organisation invited through the contact named for it. Each partner is
    {"organisation": Organisation or None, "new_organisation": str, "email": str,
    "role": Invitation.PersonRole}. All of it is saved, or none of it."""
    partnership = partnership_create(by=by, lead=lead, **fields)
    if coordinator_signs:
        PartnershipRole.objects.create(
            participation=partnership.participations.get(organisation=lead),
            user=by,
            role=PartnershipRole.Role.SIGNATORY,
        )
        permissions.forget(by)
    invitations = []
    for partner in partners:
        organisation, created = partner.get("organisation"), False
        if organisation is None:
            organisation, created = organisation_get_or_create(
                name=partner["new_organisation"], by=by
            )
        invitations.append(
            invitation_create(
                partnership=partnership,
                organisation=organisation,
                email=partner["email"],
                role=partner["role"],
                by=by,
                founding=created,
            )
        )
    return partnership, invitations


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
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
    if not invitation.approved_at:
        raise InvitationInvalid(
            f"{invitation.organisation.name} has not yet confirmed that you act for "
            "it. You will receive the invitation by e-mail once it does."
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
    founding: bool = False,
) -> Invitation:
    """Invite a person to act for an organisation in the partnership; the
    organisation joins the partnership now if it was not in it yet.

    The organisation owns its membership: the e-mail goes out at once when the
    coordinator administers that organisation (or is hub staff), or when the
    person is the founding contact of an organisation created in the same step.
    Otherwise the invitation is a proposal that waits for one of the
    organisation's administrators (hub staff when it has none)."""
    permissions.require(by, partnership, "coordinate")
    email = email.strip().lower()
    if founding and organisation.memberships.exists():
        # Only an organisation with nobody in it yet can be founded by an outsider.
        founding = False
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
                "invitation from the Partners tab instead of inviting again."
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
                f"{organisation.name}. Assign them a role from the Partners tab."
            }
        )
    participation = Participation.objects.filter(
        partnership=partnership, organisation=organisation
    ).first()
    if participation is None:
        participation_add(
            partnership=partnership, organisation=organisation, role=partner_role, by=by
        )
    approved = founding or permissions.can_administer_organisation(by, organisation)
    now = timezone.now()
    invitation = Invitation.objects.create(
        partnership=partnership,
        organisation=organisation,
        email=email,
        role=role,
        message=message,
        invited_by=by,
        founding=founding,
        created_at=now,
        approved_at=now if approved else None,
        approved_by=by if approved else None,
    )
    _log_invitation(
        invitation,
        "partnerships.invite" if approved else "partnerships.propose_person",
        by,
    )
    if approved:
        invitation_send(invitation=invitation)
    else:
        _ask_organisation_to_approve(invitation)
    return invitation


def _log_invitation(invitation: Invitation, action: str, by, **extra) -> None:
    log(
        invitation.partnership,
        action,
        user=by,
        data={
            "email": invitation.email,
            "organisation": invitation.organisation.name,
            "role": invitation.get_role_display(),
            **extra,
        },
    )


def organisation_administrators(organisation: Organisation) -> list[str]:
    """Who decides for the organisation: its administrators, else hub staff."""
    admins = list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__is_admin=True,
        ).values_list("email", flat=True)
    )
    return admins or list(
        User.objects.filter(is_active=True, is_staff=True).values_list(
            "email", flat=True
        )
    )


def _ask_organisation_to_approve(invitation: Invitation) -> None:
    send_email(
        "person-proposed",
        to=organisation_administrators(invitation.organisation),
        context={
            "invitation": invitation,
            "review_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
            + reverse("partnerships:organisation", args=[invitation.organisation_id]),
        },
    )


def _require_administer(by, organisation: Organisation) -> None:
    if not permissions.can_administer_organisation(by, organisation):
        raise PermissionDenied(
            f"Only {organisation.name}'s administrators or hub staff decide who "
            "works for it."
        )


def _undecided_proposal(invitation: Invitation, by) -> Invitation:
    """The proposal, locked, for one of its organisation's administrators."""
    _require_administer(by, invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at or invitation.approved_at:
        raise ValidationError("This proposal has already been decided.")
    return invitation


@transaction.atomic
def invitation_approve(*, invitation: Invitation, by) -> Invitation:
    """The organisation agrees that the proposed person acts for it: the
    invitation e-mail goes out now and its link is valid from now."""
    invitation = _undecided_proposal(invitation, by)
    invitation.approved_at = timezone.now()
    invitation.approved_by = by
    invitation.save(update_fields=["approved_at", "approved_by"])
    _log_invitation(invitation, "partnerships.approve_person", by)
    invitation_send(invitation=invitation)
    return invitation


@transaction.atomic
def invitation_decline(*, invitation: Invitation, by, reason: str = "") -> None:
    invitation = _undecided_proposal(invitation, by)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _log_invitation(
        invitation, "partnerships.decline_person", by, reason=reason.strip()[:300]
    )


def invitation_send(*, invitation: Invitation) -> None:
    send_email(
        "invitation",
        to=[invitation.email],
        context={"invitation": invitation, "accept_url": invitation_url(invitation)},
        reply_to=[invitation.invited_by.email] if invitation.invited_by else None,
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> None:
    if not (
        permissions.can_coordinate(by, invitation.partnership)
        or permissions.can_administer_organisation(by, invitation.organisation)
    ):
        raise PermissionDenied
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
    if not invitation.approved_at:
        raise InvitationInvalid(
            f"{invitation.organisation.name} has not yet confirmed this invitation."
        )
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
    # The membership this creates was agreed by the organisation (approved_at).
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation
    )
    if invitation.founding and not membership.is_admin:
        membership.is_admin = True
        membership.save(update_fields=["is_admin"])
    participation = Participation.objects.filter(
        partnership=invitation.partnership, organisation=invitation.organisation
    ).first()
    if participation is None:
        raise InvitationInvalid(
            f"{invitation.organisation.name} no longer takes part in this "
            "partnership, so the invitation cannot be used."
        )
    if invitation.role != Invitation.PersonRole.MEMBER and permissions.may_hold_role(
        user, invitation.organisation
    ):
        PartnershipRole.objects.get_or_create(
            participation=participation, user=user, role=invitation.role
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _log_invitation(invitation, "partnerships.accept_invitation", user)
    permissions.forget(user)
    return user


def _administrators_left(organisation: Organisation, *, without: Membership) -> bool:
    return (
        organisation.memberships.filter(is_admin=True, user__is_active=True)
        .exclude(pk=without.pk)
        .exists()
    )


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    by,
    is_admin: bool | None = None,
    is_leadership: bool | None = None,
    job_title: str | None = None,
) -> Membership:
    """An administrator changes how a colleague works in the workspace."""
    organisation = membership.organisation
    _require_administer(by, organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if (
        is_admin is False
        and membership.is_admin
        and not _administrators_left(organisation, without=membership)
    ):
        raise ValidationError(
            f"{organisation.name} needs at least one administrator. Make someone "
            "else an administrator first."
        )
    changes = {}
    for field, value in (
        ("is_admin", is_admin),
        ("is_leadership", is_leadership),
        ("job_title", job_title),
    ):
        if value is not None and getattr(membership, field) != value:
            changes[field] = {"from": str(getattr(membership, field)), "to": str(value)}
            setattr(membership, field, value)
    if not changes:
        return membership
    membership.save()
    if membership.is_leadership:
        # A leadership viewer acts for nobody, so holds no partnership roles.
        PartnershipRole.objects.filter(
            user=membership.user, participation__organisation=organisation
        ).delete()
    log(
        organisation,
        "partnerships.change_member",
        user=by,
        data={
            "person": membership.user.get_full_name() or membership.user.username,
            "changes": changes,
        },
    )
    permissions.forget(membership.user)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    """The person no longer works for the organisation: their roles for it end,
    and with them everything they could see through it."""
    organisation = membership.organisation
    _require_administer(by, organisation)
    if membership.is_admin and not _administrators_left(
        organisation, without=membership
    ):
        raise ValidationError(
            f"{organisation.name} needs at least one administrator. Make someone "
            "else an administrator before removing this person."
        )
    person = membership.user
    PartnershipRole.objects.filter(
        user=person, participation__organisation=organisation
    ).delete()
    membership.delete()
    log(
        organisation,
        "partnerships.remove_member",
        user=by,
        data={"person": person.get_full_name() or person.username},
    )
    permissions.forget(person)
