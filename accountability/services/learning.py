"""Writes of the learning log: what partners learned, and the change they
propose, decided once by a coordinator."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed
from wagtail.log_actions import log

from partnerships import permissions
from partnerships.models import Partnership

from ..models import LearningEntry

__all__ = ["learning_entry_create", "learning_proposal_decide"]


@transaction.atomic
def learning_entry_create(
    *, partnership: Partnership, by, responsibilities=(), **fields
) -> LearningEntry:
    if not permissions.can_edit(by, partnership):
        raise PermissionDenied
    own = permissions.editing_organisations(by, partnership)
    entry = LearningEntry(partnership=partnership, author=by, **fields)
    if entry.organisation_id is None and own:
        entry.organisation_id = min(own)
    if entry.proposal_kind:
        entry.proposal_status = LearningEntry.ProposalStatus.OPEN
    entry.full_clean()
    entry.save()
    linked = [r for r in responsibilities if r.partnership_id == partnership.pk]
    entry.responsibilities.set(linked)
    log(partnership, "partnerships.add_learning", user=by, data={"title": entry.title})
    return entry


@transaction.atomic
def learning_proposal_decide(
    *, entry: LearningEntry, by, accept: bool, note: str = ""
) -> LearningEntry:
    if not permissions.can_coordinate(by, entry.partnership):
        raise PermissionDenied
    entry = LearningEntry.objects.select_for_update().get(pk=entry.pk)
    decide = entry.accept if accept else entry.decline
    if not can_proceed(decide):
        raise ValidationError(
            "This proposal has already been decided"
            + (
                f" ({entry.get_proposal_status_display().lower()})."
                if entry.proposal_status
                else "; there is no proposal to decide."
            )
        )
    decide()
    entry.decided_by = by
    entry.decided_at = timezone.now()
    entry.decision_note = note
    entry.save()
    log(
        entry.partnership,
        "partnerships.decide_proposal",
        user=by,
        data={"title": entry.title, "decision": entry.get_proposal_status_display()},
    )
    return entry
