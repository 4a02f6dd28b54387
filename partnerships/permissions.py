"""The one access policy of the workspace.

A partnership is visible to a user when one of their organisations takes part in
it; hub staff see everything. Roles inside that participation decide what the
user may change. Every queryset, object lookup, export, feed and search in the
product goes through the functions here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from .models import (
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from referrals.models import Referral

    User = AbstractBaseUser | AnonymousUser


def visible_partnership_ids(user: User) -> QuerySet:
    """A subquery of the ids of partnerships the user's organisations take part in."""
    return Participation.objects.filter(organisation__memberships__user=user).values(
        "partnership_id"
    )


def visible_partnerships(user: User) -> QuerySet[Partnership]:
    """Partnerships the user may see: those one of their organisations takes part
    in; every partnership for hub staff; none for anyone not signed in or
    deactivated. Every other app scopes its querysets through this."""
    if not user.is_authenticated or not user.is_active:
        return Partnership.objects.none()
    if user.is_staff:
        return Partnership.objects.all()
    return Partnership.objects.filter(pk__in=visible_partnership_ids(user))


def addresses_with_access(partnership_id: int, addresses: list[str]) -> list[str]:
    """The addresses among `addresses` that belong to an active person who may see
    the partnership now. Mail about a partnership goes only to them."""
    wanted = {address.lower() for address in addresses}
    people = (
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(is_active=True, address__in=wanted)
        .filter(
            Q(is_staff=True)
            | Q(
                memberships__organisation__participations__partnership_id=(
                    partnership_id
                )
            )
        )
        .values_list("address", flat=True)
    )
    allowed = set(people)
    return [address for address in addresses if address.lower() in allowed]


def organisations_of(user: User) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def _cache(user: User) -> dict:
    """Per-request memo of the user's memberships and roles (one query each).

    `orgs` maps organisation id to (leadership viewer, organisation administrator)."""
    cache = getattr(user, "_partnership_access", None)
    if cache is None:
        cache = {
            "orgs": {
                m.organisation_id: (m.is_leadership, m.is_admin)
                for m in Membership.objects.filter(user=user).only(
                    "organisation_id", "is_leadership", "is_admin"
                )
            },
            "roles": {},
        }
        user._partnership_access = cache
    return cache


def forget(user: User) -> None:
    """Drop the memo after the user's memberships or roles change."""
    if hasattr(user, "_partnership_access"):
        del user._partnership_access


def forget_partners(partnership: Partnership) -> None:
    """Drop the memo of who takes part after an organisation joins or leaves."""
    if hasattr(partnership, "_participating_org_ids"):
        del partnership._participating_org_ids


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _participating_orgs(partnership: Partnership) -> set[int]:
    ids = getattr(partnership, "_participating_org_ids", None)
    if ids is None:
        ids = set(
            Participation.objects.filter(partnership=partnership).values_list(
                "organisation_id", flat=True
            )
        )
        partnership._participating_org_ids = ids
    return ids


def roles_in(user: User, partnership: Partnership) -> set[tuple[int, str]]:
    """(organisation id, role) pairs the user holds in the partnership."""
    if not user.is_authenticated:
        return set()
    cache = _cache(user)["roles"]
    if partnership.pk not in cache:
        cache[partnership.pk] = set(
            PartnershipRole.objects.filter(
                user=user, participation__partnership=partnership
            ).values_list("participation__organisation_id", "role")
        )
    return cache[partnership.pk]


# Seeing a partnership ------------------------------------------------------


def can_view(user: User, partnership: Partnership) -> bool:
    if not _active(user):
        return False
    if user.is_staff:
        return True
    return bool(_cache(user)["orgs"].keys() & _participating_orgs(partnership))


# Acting in a partnership ---------------------------------------------------
# Leadership viewers follow their organisation's partnerships read-only: a
# membership marked as leadership never lets its holder act, whatever role they
# were given in a partnership.


def editing_org_ids_of(user: User) -> set[int]:
    """Organisations the user acts for (leadership viewers act for none)."""
    if not _active(user):
        return set()
    return {
        org
        for org, (leadership, _admin) in _cache(user)["orgs"].items()
        if not leadership
    }


def follows_as_leadership(user: User) -> bool:
    """Whether the person follows some organisation's partnerships as a
    leadership viewer (read-only oversight)."""
    if not _active(user):
        return False
    return any(leadership for leadership, _admin in _cache(user)["orgs"].values())


def editing_organisations(user: User, partnership: Partnership) -> set[int]:
    """Organisations on whose behalf the user may change things in the partnership."""
    if not _active(user):
        return set()
    if user.is_staff:
        return set(_participating_orgs(partnership))
    return editing_org_ids_of(user) & _participating_orgs(partnership)


def can_edit(user: User, partnership: Partnership) -> bool:
    """Co-authoring: any non-leadership member of a participating organisation,
    while the partnership is not closed."""
    if partnership.status == Partnership.Status.CLOSED and not user.is_staff:
        return False
    return bool(editing_organisations(user, partnership))


def can_coordinate(user: User, partnership: Partnership) -> bool:
    """Managing partners, people, roles and the partnership's own details: the
    coordinator role, held for an organisation the user acts for, while the
    partnership is not closed (a closed partnership is a record: only hub staff
    change it, reopening included)."""
    if not _active(user):
        return False
    if user.is_staff:
        return True
    if partnership.status == Partnership.Status.CLOSED:
        return False
    acting = editing_organisations(user, partnership)
    return any(
        role == PartnershipRole.Role.COORDINATOR and org in acting
        for org, role in roles_in(user, partnership)
    )


def coordinates_any(user: User) -> bool:
    """Whether the person coordinates some partnership that is not closed, for
    an organisation they act for: can_coordinate on at least one, in one query
    whatever the number of partnerships."""
    if not _active(user):
        return False
    if user.is_staff:
        return True
    acting = editing_org_ids_of(user)
    return (
        bool(acting)
        and PartnershipRole.objects.filter(
            user=user,
            role=PartnershipRole.Role.COORDINATOR,
            participation__organisation_id__in=acting,
        )
        .exclude(participation__partnership__status=Partnership.Status.CLOSED)
        .exists()
    )


def may_see_needs_picture(user: User) -> bool:
    """The community-needs picture (anonymous, suppressed counts): hub staff,
    leadership viewers and coordinators."""
    return follows_as_leadership(user) or coordinates_any(user)


def can_sign(user: User, partnership: Partnership, organisation: Organisation) -> bool:
    """Signing on behalf of one organisation needs that organisation's signatory,
    acting for it (not as a leadership viewer)."""
    return (organisation.pk, PartnershipRole.Role.SIGNATORY) in roles_in(
        user, partnership
    ) and organisation.pk in editing_organisations(user, partnership)


def can_act_for(user: User, partnership: Partnership, organisation_id: int) -> bool:
    """Changing what belongs to one organisation in the partnership (its
    commitments, its answers): that organisation's own people or a coordinator."""
    return can_coordinate(user, partnership) or organisation_id in (
        editing_organisations(user, partnership)
    )


def can_change_responsibility(user: User, responsibility) -> bool:
    """Reporting progress: the owner organisation on its own responsibilities,
    coordinators on every responsibility of the partnership."""
    partnership = responsibility.partnership
    if partnership.status == Partnership.Status.CLOSED and not user.is_staff:
        return False
    return can_act_for(user, partnership, responsibility.owner_id)


def can_reassign_responsibility(user: User, responsibility) -> bool:
    """Changing who owes what by when is the partnership's decision, not the
    owner's: coordinators only. A commitment written in an MOU is changed by
    amending the MOU, so nobody edits its owner or date here."""
    if responsibility.source == responsibility.Source.MOU_CLAUSE:
        return False
    partnership = responsibility.partnership
    if partnership.status == Partnership.Status.CLOSED and not user.is_staff:
        return False
    return can_coordinate(user, partnership)


def can_create_partnership(user: User) -> bool:
    return _active(user) and (user.is_staff or bool(editing_org_ids_of(user)))


# Organisations own their people --------------------------------------------
# Only hub staff and an organisation's own administrators make someone its
# member. A coordinator may propose a person; the organisation decides.


def administered_org_ids(user: User) -> set[int]:
    """Organisations whose membership the user manages."""
    if not _active(user):
        return set()
    return {org for org, (_leadership, admin) in _cache(user)["orgs"].items() if admin}


def can_administer_organisation(user: User, organisation: Organisation) -> bool:
    if not _active(user):
        return False
    return user.is_staff or organisation.pk in administered_org_ids(user)


def may_hold_role(person, organisation: Organisation) -> bool:
    """Partnership roles go only to active people who act for the organisation
    (members, not leadership viewers)."""
    return (
        person.is_active
        and Membership.objects.filter(
            user=person, organisation=organisation, is_leadership=False
        ).exists()
    )


ACTIONS = {"view": can_view, "edit": can_edit, "coordinate": can_coordinate}


def require(user: User, partnership: Partnership, action: str = "view") -> None:
    """Refuse (403) unless the user may do `action` in the partnership."""
    if not ACTIONS[action](user, partnership):
        raise PermissionDenied


def get_partnership_for(user: User, pk: int, *, action: str = "view") -> Partnership:
    """Look up a partnership for a view; unknown and invisible look the same (404),
    visible but not permitted is refused (403)."""
    try:
        partnership = visible_partnerships(user).get(pk=pk)
    except (Partnership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such partnership.") from None
    require(user, partnership, action)
    return partnership


# Referrals: details only for the two parties, figures for their organisations.
# A referral belongs to the organisation that sent it and the one that received
# it. People who act for either (members, not leadership viewers) read the
# client's details while consent stands and move the referral on their side's
# behalf; leadership viewers and hub staff see that it exists, its parties and
# status, and figures. Nobody reads the details once consent is revoked or over.


# The policy names the referrals app's model by string: partnerships imports no
# other app (DESIGN.md §3).
SENDER, RECEIVER = "sender", "receiver"
# The requester withdraws its own request; every other move is the performer's.
BY_SENDER = {"cancelled", "entered-in-error"}


def _referrals():
    return apps.get_model("referrals", "Referral").objects.all()


def may_move(side: str, target: str) -> bool:
    """The sender cancels or withdraws its own request (entered-in-error); the
    receiver makes every other move (Gravity SDOH: requester and performer)."""
    if target in BY_SENDER:
        return side == SENDER
    return side == RECEIVER


def referrals_visible_to(
    user: User, referrals: QuerySet[Referral] | None = None
) -> QuerySet[Referral]:
    """Referrals whose existence, parties and status the user sees: those one of
    their organisations (leadership memberships included) sent or received, in
    partnerships the user still sees. Hub staff see every referral."""
    referrals = _referrals() if referrals is None else referrals
    if not user.is_authenticated or not user.is_active:
        return referrals.none()
    if user.is_staff:
        return referrals
    # A person belongs to few organisations: a literal list lets the database
    # use the sender and receiver indexes.
    mine = list(organisations_of(user).values_list("pk", flat=True))
    return referrals.filter(
        Q(sender_id__in=mine) | Q(receiver_id__in=mine),
        partnership_id__in=visible_partnership_ids(user),
    )


def referrals_counted_for(
    user: User, referrals: QuerySet[Referral] | None = None
) -> QuerySet[Referral]:
    """Referrals in the user's figures: the ones they see, less those entered in
    error. What figures may be shown of them is `referral_metrics`' rule."""
    return referrals_visible_to(user, referrals).exclude(status="entered-in-error")


def referral_sides(user: User, referral: Referral) -> set[str]:
    """Which side(s) of the referral the user acts for: a member (not a
    leadership viewer) of the sending or receiving organisation while it takes
    part in the partnership. Hub staff are not a party and act for neither."""
    if not user.is_authenticated or not user.is_active or user.is_staff:
        return set()
    orgs = editing_organisations(user, referral.partnership)
    sides = set()
    if referral.sender_id in orgs:
        sides.add(SENDER)
    if referral.receiver_id in orgs:
        sides.add(RECEIVER)
    return sides


def referral_consent_stands(referral: Referral) -> bool:
    """Not revoked and not expired (a referral made without consent, where the
    protocol does not ask for it, stands)."""
    if referral.consent_revoked_at is not None:
        return False
    return referral.consent_expires is None or referral.consent_expires >= (
        timezone.localdate()
    )


def can_see_referral_details(user: User, referral: Referral) -> bool:
    """The client's details (reference, initials, year of birth, the protocol's
    fields, demographics, consent scope, reasons and feedback): only people who
    act for one of the two parties, and only while consent stands."""
    return bool(referral_sides(user, referral)) and referral_consent_stands(referral)


def can_move_referral(user: User, referral: Referral, status: str) -> bool:
    """Whether the user's side may make this kind of move (whether the move is
    allowed from the current status is the lifecycle's answer)."""
    return any(may_move(side, status) for side in referral_sides(user, referral))


def can_close_referral_loop(user: User, referral: Referral) -> bool:
    """Only the receiver reports the outcome back to the sender."""
    return RECEIVER in referral_sides(user, referral)


def can_revoke_referral_consent(user: User, referral: Referral) -> bool:
    """Either party records that the client withdrew consent."""
    return bool(referral_sides(user, referral))


def referral_acting_organisation(user: User, referral: Referral, status: str) -> int:
    """The organisation on whose behalf the user makes this move."""
    sides = referral_sides(user, referral)
    if RECEIVER in sides and may_move(RECEIVER, status):
        return referral.receiver_id
    return referral.sender_id if SENDER in sides else referral.receiver_id


def referral_party_addresses(referral: Referral, side: str) -> list[str]:
    """Who hears about a change on one side: that organisation's contacts and
    coordinators in the partnership, and for the sender the person who made the
    referral, if they still act for it."""
    organisation_id = referral.sender_id if side == SENDER else referral.receiver_id
    acting = Q(
        memberships__organisation_id=organisation_id,
        memberships__is_leadership=False,
        is_active=True,
    )
    people = get_user_model().objects.filter(acting)
    roles = Q(
        partnership_roles__participation__partnership_id=referral.partnership_id,
        partnership_roles__participation__organisation_id=organisation_id,
        partnership_roles__role__in=[
            PartnershipRole.Role.CONTACT,
            PartnershipRole.Role.COORDINATOR,
        ],
    )
    if side == SENDER and referral.created_by_id:
        roles |= Q(pk=referral.created_by_id)
    return sorted(set(people.filter(roles).values_list("email", flat=True)) - {""})
