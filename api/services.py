"""Issuing, rotating and revoking API tokens: only the organisation's own
administrators (or hub staff), each change in the audit log."""

from __future__ import annotations

import secrets
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from partnerships import permissions
from partnerships.models import Membership, Organisation

from .models import ApiToken, key_hash


def _new_key() -> str:
    return "pw_" + secrets.token_urlsafe(32)


def _require_admin(by, organisation: Organisation) -> None:
    if not permissions.can_administer_organisation(by, organisation):
        raise PermissionDenied(
            "Only the organisation's administrators manage its API tokens."
        )


def _record(token: ApiToken, action: str, *, by) -> None:
    log(
        token,
        f"api.token_{action}",
        user=by,
        title=str(token),
        data={
            "name": token.name,
            "organisation": token.organisation.name,
            "scope": token.get_scope_display(),
        },
    )


@transaction.atomic
def token_create(
    *, organisation: Organisation, by, name: str, scope: str
) -> tuple[ApiToken, str]:
    """A new token for one of the organisation's systems; the key is returned
    once and only its hash is kept."""
    _require_admin(by, organisation)
    name = name.strip()
    if not name:
        raise ValidationError("Name the system that will use the token.")
    if scope not in ApiToken.Scope.values:
        raise ValidationError("Choose read only or read and write.")
    # The token acts as a member of its organisation who cannot sign in: the
    # access policy then treats it as one of the organisation's people.
    account = get_user_model()(
        username=f"api-{uuid.uuid4().hex[:24]}",
        first_name="API token",
        last_name=name[:150],
    )
    account.set_unusable_password()
    account.save()
    Membership.objects.create(
        user=account, organisation=organisation, job_title="API token"
    )
    key = _new_key()
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        scope=scope,
        user=account,
        key_hash=key_hash(key),
        prefix=key[:8],
        created_by=by,
    )
    _record(token, "create", by=by)
    return token, key


@transaction.atomic
def token_rotate(*, token: ApiToken, by) -> str:
    """A new key for the same token; the old one stops working at once."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    _require_admin(by, token.organisation)
    if not token.active:
        raise ValidationError("A revoked token cannot be rotated; issue a new one.")
    key = _new_key()
    token.key_hash = key_hash(key)
    token.prefix = key[:8]
    token.rotated_at = timezone.now()
    token.save(update_fields=["key_hash", "prefix", "rotated_at"])
    _record(token, "rotate", by=by)
    return key


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> ApiToken:
    """The token stops working for good; its account is deactivated, so the
    access policy refuses it too."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    _require_admin(by, token.organisation)
    if not token.active:
        raise ValidationError("This token is already revoked.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    token.user.is_active = False
    token.user.save(update_fields=["is_active"])
    _record(token, "revoke", by=by)
    return token
