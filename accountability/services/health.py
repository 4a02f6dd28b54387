"""Writes for health checks: rounds a coordinator opens and closes, and the
anonymous answers each organisation's people give."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from partnerships import permissions
from partnerships.models import Organisation, Partnership

from ..models import (
    CollaborationRating,
    HealthCheckResponse,
    HealthCheckRound,
    Practice,
    PracticeRating,
)

__all__ = ["health_round_open", "health_round_close", "health_response_submit"]


@transaction.atomic
def health_round_open(
    *, partnership: Partnership, by, title: str, closes_on: datetime.date
) -> HealthCheckRound:
    if not permissions.can_coordinate(by, partnership):
        raise PermissionDenied
    if closes_on < timezone.localdate():
        raise ValidationError({"closes_on": "The closing date is in the past."})
    if partnership.health_rounds.filter(
        closed_at__isnull=True, closes_on__gte=timezone.localdate()
    ).exists():
        raise ValidationError(
            "A health check is already open. Close it before opening another."
        )
    health_round = HealthCheckRound.objects.create(
        partnership=partnership, title=title, closes_on=closes_on, opened_by=by
    )
    log(partnership, "partnerships.open_health_check", user=by, data={"title": title})
    return health_round


@transaction.atomic
def health_round_close(*, health_round: HealthCheckRound, by) -> None:
    """Close a round: its results show from now on (if enough people answered).
    Locked, so a round closes once; closing it again is refused."""
    if not permissions.can_coordinate(by, health_round.partnership):
        raise PermissionDenied
    locked = HealthCheckRound.objects.select_for_update().get(pk=health_round.pk)
    if locked.closed_at is not None:
        closed_on = timezone.localdate(locked.closed_at)
        raise ValidationError(f"“{locked.title}” closed on {closed_on:%d %B %Y}.")
    locked.closed_at = health_round.closed_at = timezone.now()
    locked.save(update_fields=["closed_at"])
    log(
        health_round.partnership,
        "partnerships.close_health_check",
        user=by,
        data={"title": health_round.title},
    )


@transaction.atomic
def health_response_submit(
    *,
    health_round: HealthCheckRound,
    by,
    organisation: Organisation,
    ratings: dict[str, tuple[int, str]],
    collaboration: dict[int, int] | None = None,
) -> HealthCheckResponse:
    """One person's ratings of the five practices (1–5), and optionally how
    closely their organisation works with each other partner (0–5)."""
    partnership = health_round.partnership
    if organisation.pk not in permissions.editing_organisations(by, partnership):
        raise PermissionDenied(
            "Only members of a participating organisation rate the partnership."
        )
    if not health_round.is_open:
        raise ValidationError("This health check is closed.")
    missing = set(Practice.values) - set(ratings)
    if missing:
        raise ValidationError("Rate every practice from 1 to 5.")
    for practice, (score, _comment) in ratings.items():
        if practice not in Practice.values or not (
            isinstance(score, int) and 1 <= score <= 5
        ):
            raise ValidationError(
                f"Ratings run from 1 to 5; {score!r} is not one of them."
            )
    partners = set(
        partnership.participations.values_list("organisation_id", flat=True)
    ) - {organisation.pk}
    for other, level in (collaboration or {}).items():
        if other not in partners:
            raise ValidationError(
                "Rate only the other organisations in this partnership."
            )
        if not (isinstance(level, int) and 0 <= level <= 5):
            raise ValidationError(
                f"Collaboration levels run from 0 to 5; {level!r} is not one of them."
            )
    try:
        with transaction.atomic():
            response = HealthCheckResponse.objects.create(
                round=health_round, respondent=by, organisation=organisation
            )
    except IntegrityError:
        raise ValidationError(
            "You have already answered this health check; each person answers once "
            "per round."
        ) from None
    PracticeRating.objects.bulk_create(
        PracticeRating(response=response, practice=p, score=s, comment=c)
        for p, (s, c) in ratings.items()
    )
    CollaborationRating.objects.bulk_create(
        CollaborationRating(response=response, other_id=other, level=level)
        for other, level in (collaboration or {}).items()
    )
    # Answers are anonymous: the history records that one arrived, never who
    # gave it or for which organisation.
    log(
        partnership,
        "partnerships.answer_health_check",
        user=None,
        data={"title": health_round.title},
    )
    return response
