"""The one access policy of the workspace.

A partnership is visible to a user when one of their organisations takes part in
it; hub staff see everything. Roles inside that participation decide what the
user may change. Every queryset, object lookup, export, feed and search in the
product goes through the functions here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from .models import (
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser


def visible_partnership_ids(user: User) -> QuerySet:
    """A subquery of the ids of partnerships the user's organisations take part in."""
    return Participation.objects.filter(organisation__memberships__user=user).values(
        "partnership_id"
    )


def addresses_with_access(partnership_id: int, addresses: list[str]) -> list[str]:
    """The addresses among `addresses` that belong to an active person who may see
    the partnership now. Mail about a partnership goes only to them."""
    from django.contrib.auth import get_user_model

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
    """Per-request memo of the user's memberships and roles (one query each)."""
    cache = getattr(user, "_partnership_access", None)
    if cache is None:
        cache = {
            "orgs": {
                m.organisation_id: m.is_leadership
                for m in Membership.objects.filter(user=user).only(
                    "organisation_id", "is_leadership"
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


def can_view(user: User, partnership: Partnership) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return bool(_cache(user)["orgs"].keys() & _participating_orgs(partnership))


def editing_organisations(user: User, partnership: Partnership) -> set[int]:
    """Organisations on whose behalf the user may change things in the partnership."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_staff:
        return set(_participating_orgs(partnership))
    orgs = _cache(user)["orgs"]
    return {
        org_id
        for org_id in _participating_orgs(partnership)
        if org_id in orgs and not orgs[org_id]
    }


def can_edit(user: User, partnership: Partnership) -> bool:
    """Co-authoring: any non-leadership member of a participating organisation."""
    if partnership.status == Partnership.Status.CLOSED and not user.is_staff:
        return False
    return bool(editing_organisations(user, partnership))


def can_coordinate(user: User, partnership: Partnership) -> bool:
    """Managing partners, people, roles and the partnership's own details."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return any(
        role == PartnershipRole.Role.COORDINATOR
        for _org, role in roles_in(user, partnership)
    )


def can_sign(user: User, partnership: Partnership, organisation: Organisation) -> bool:
    """Signing on behalf of one organisation needs that organisation's signatory."""
    return (organisation.pk, PartnershipRole.Role.SIGNATORY) in roles_in(
        user, partnership
    ) and organisation.pk in editing_organisations(user, partnership)


def can_change_responsibility(user: User, responsibility) -> bool:
    """The owner organisation reports on its own responsibilities; coordinators
    on every responsibility of the partnership."""
    partnership = responsibility.partnership
    if partnership.status == Partnership.Status.CLOSED and not user.is_staff:
        return False
    return can_coordinate(user, partnership) or (
        responsibility.owner_id in editing_organisations(user, partnership)
    )


def editing_org_ids_of(user: User) -> set[int]:
    """Organisations the user acts for (leadership viewers act for none)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return {org for org, leadership in _cache(user)["orgs"].items() if not leadership}


def can_create_partnership(user: User) -> bool:
    return user.is_authenticated and (user.is_staff or bool(editing_org_ids_of(user)))


ACTIONS = {"view": can_view, "edit": can_edit, "coordinate": can_coordinate}


def require(user: User, partnership: Partnership, action: str = "view") -> None:
    """Refuse (403) unless the user may do `action` in the partnership."""
    if not ACTIONS[action](user, partnership):
        raise PermissionDenied


def get_partnership_for(user: User, pk: int, *, action: str = "view") -> Partnership:
    """Look up a partnership for a view; unknown and invisible look the same (404),
    visible but not permitted is refused (403)."""
    try:
        partnership = Partnership.objects.visible_to(user).get(pk=pk)
    except (Partnership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such partnership.") from None
    require(user, partnership, action)
    return partnership
