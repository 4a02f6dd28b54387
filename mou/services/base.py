"""Helpers every MOU service shares: history, recipients, access checks, locks."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from wagtail.log_actions import log

from partnerships import permissions
from partnerships.models import PartnershipRole

from ..models import MOU, MOUEvent, Section

User = get_user_model()


def _url(mou: MOU) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + mou.get_absolute_url()


def _record(mou: MOU, action: str, by, *, before: str = "", **data) -> None:
    MOUEvent.objects.create(
        mou=mou,
        action=action,
        user=by,
        from_state=before,
        to_state=mou.state,
        data=data,
    )
    log(mou, f"mou.{action}", user=by, data={"title": str(mou), **data})


def _people(mou: MOU, *roles) -> list[str]:
    return list(
        PartnershipRole.objects.filter(
            participation__partnership_id=mou.partnership_id, role__in=roles
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )


def _everyone(mou: MOU) -> list[str]:
    return list(
        User.objects.filter(
            memberships__organisation__participations__partnership_id=mou.partnership_id,
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _with_access(mou: MOU, addresses) -> list[str]:
    """The addresses of people who may still see the partnership now (the
    delivery task asks again when the mail leaves)."""
    return permissions.addresses_with_access(
        mou.partnership_id, [a for a in addresses if a]
    )


def _refusals_recorded(service):
    """Record a refused call in the audit log. It wraps the service's own
    transaction, so the entry stays although the refused work is rolled back."""

    @functools.wraps(service)
    def guarded(**kwargs):
        try:
            return service(**kwargs)
        except PermissionDenied:
            comment = kwargs.get("comment")
            target = kwargs.get("mou") or (comment.mou if comment else None)
            target = target or kwargs.get("partnership")
            by = kwargs.get("by")
            log(
                target,
                "mou.refused",
                user=by if getattr(by, "pk", None) else None,
                data={"title": str(target), "action": service.__name__},
            )
            raise

    return guarded


def _require_edit(mou: MOU, by) -> None:
    if not permissions.can_edit(by, mou.partnership):
        raise PermissionDenied(
            "Only people who act for a partner organisation can change this MOU; "
            "leadership viewers read it."
        )


def _require_coordinate(mou: MOU, by) -> None:
    if not permissions.can_coordinate(by, mou.partnership):
        raise PermissionDenied(
            "Only the partnership's coordinators can do this; ask one of them."
        )


def _require_own(mou: MOU, section: Section) -> None:
    """A section handed to a service must belong to the MOU it was checked on."""
    if section.mou_id != mou.pk:
        raise PermissionDenied("That section is not part of this MOU.")


def _lock(mou: MOU) -> MOU:
    """The MOU row, locked until the transaction ends: concurrent writers to one
    MOU take turns, and each sees what the previous one committed."""
    return MOU.objects.select_for_update().select_related("partnership").get(pk=mou.pk)
