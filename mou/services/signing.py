"""Signing: one organisation's signature on the frozen text, the checks that
the signer saw that text, and the last signature executing the MOU."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnerships import permissions
from partnerships.models import Organisation

# The package, not this module: tests replace `services._signatures_counted`
# there, so `_sign` must look the seam up on it at call time.
from .. import documents
from .. import services as package
from ..models import MOU, Signature
from .base import _lock, _record
from .content import describe_changes
from .lifecycle import _execute


class _SignRefused(Exception):
    def __init__(self, reason: str, message: str, *, changes: list[str] = ()):
        super().__init__(message)
        self.reason, self.message, self.changes = reason, message, list(changes)


class TextChanged(ValidationError):
    """The signer was shown another text than the one open for signing;
    `changes` says what differs, `fingerprint` is the text now open."""

    def __init__(self, message: str, *, changes: list[str], fingerprint: str):
        super().__init__([message, *changes])
        self.changes, self.fingerprint = changes, fingerprint


def mou_sign(
    *,
    mou: MOU,
    by,
    organisation: Organisation,
    full_name: str,
    title: str,
    fingerprint: str,
    ip_address: str | None = None,
) -> Signature:
    """One organisation's signature on the text whose SHA-256 `fingerprint` the
    signer was shown. The last one executes the MOU, exactly once: the row lock
    makes simultaneous signers take turns. Refused attempts are recorded in the
    history (outside the refused transaction, so they stay)."""
    if not permissions.can_sign(by, mou.partnership, organisation):
        _record(
            mou,
            "sign_refused",
            by,
            organisation=organisation.name,
            reason="not a signatory for this organisation",
        )
        raise PermissionDenied(f"Only {organisation.name}'s signatory can sign for it.")
    if not full_name.strip() or not title.strip():
        raise ValidationError("Type your full name and job title to sign.")
    try:
        return _sign(
            mou=mou,
            by=by,
            organisation=organisation,
            full_name=full_name,
            title=title,
            fingerprint=fingerprint or "",
            ip_address=ip_address,
        )
    except _SignRefused as refused:
        _record(
            mou,
            "sign_refused",
            by,
            organisation=organisation.name,
            reason=refused.reason,
        )
        if refused.reason.startswith("text changed"):
            raise TextChanged(
                refused.message,
                changes=refused.changes,
                fingerprint=MOU.objects.get(pk=mou.pk).frozen_hash,
            ) from None
        raise ValidationError(refused.message) from None


def _content_with_hash(mou: MOU, fingerprint: str) -> dict | None:
    """The content of this MOU's revision whose text has `fingerprint`, if any."""
    from wagtail.models import Revision

    for content in (
        Revision.objects.for_instance(mou)
        .order_by("-created_at", "-pk")
        .values_list("content", flat=True)[:200]
    ):
        text = content.get("content")
        if text and MOU.hash_content(text) == fingerprint:
            return text
    return None


def _shown_text_changed(mou: MOU, fingerprint: str) -> _SignRefused:
    shown = _content_with_hash(mou, fingerprint) if fingerprint else None
    frozen = mou.frozen_revision
    current = frozen.content.get("content") if frozen else None
    changes = describe_changes(shown, current or mou.canonical_content())
    return _SignRefused(
        "text changed since the signer's page was opened",
        "Not signed: the text changed after you opened the signing page, so "
        "your signature would cover words you have not seen. "
        + ("What changed is listed below. " if changes else "")
        + "Read the current text, then sign again if you agree to it.",
        changes=changes,
    )


def _signatures_counted(mou: MOU) -> None:
    """A seam for the concurrency test, called right after a signer's
    transaction counted the signatures and before it decides to execute. The
    test holds both of two simultaneous signers here to prove that the row lock,
    not luck, makes the last one see the other's signature. Does nothing."""


@transaction.atomic
def _sign(
    *, mou, by, organisation, full_name, title, fingerprint, ip_address
) -> Signature:
    mou = _lock(mou)
    if mou.state != MOU.State.SIGNING:
        raise _SignRefused(
            f"state is {mou.state}",
            f"This MOU is {mou.get_state_display().lower()}; it can only be signed "
            "while signing is open.",
        )
    if not mou.matches_frozen(fingerprint):
        raise _shown_text_changed(mou, fingerprint)
    if not mou.signatures_match():
        raise _SignRefused(
            "text changed",
            "The text has changed since signing opened, so it cannot be signed. "
            "Ask the coordinator to withdraw and reopen signing.",
        )
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                mou=mou,
                round=mou.signing_round,
                organisation=organisation,
                signer=by,
                full_name=full_name.strip(),
                title=title.strip(),
                # The day in the partnership's zone, as the documents date it.
                signed_on=timezone.localdate(
                    timezone=documents.local_zone(mou.partnership)
                ),
                ip_address=ip_address or None,
                content_hash=mou.frozen_hash,
            )
    except IntegrityError:
        raise _SignRefused(
            "already signed", f"{organisation.name} has already signed this version."
        ) from None
    _record(
        mou,
        "sign",
        by,
        before=mou.state,
        organisation=organisation.name,
        name=signature.full_name,
        hash=signature.content_hash,
    )
    everyone_signed = mou.all_parties_signed()
    package._signatures_counted(mou)
    if everyone_signed:
        # The signer's own right to sign is what lets their signature complete
        # the agreement; no coordinator is needed for that.
        _execute(mou, by)
    return signature
