"""Indicators needing attention across the partnerships a person sees."""

import datetime

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from accountability import figure_cache

from .models import CheckIn, Indicator, LogicModel

LIMIT = 15


def indicator_figures(user, today: datetime.date | None = None) -> dict:
    """Off-track and stale indicators, cached until a write changes what they
    read (accountability.figure_cache; the day is part of the key)."""
    if today is not None:
        return _figures(user, today)
    return figure_cache.cached(
        "indicator_figures", user, lambda: _figures(user, timezone.localdate())
    )


def _figures(user, today: datetime.date) -> dict:
    latest_status = (
        CheckIn.objects.filter(indicator=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("status")[:1]
    )
    indicators = (
        Indicator.objects.filter(
            element__model__in=LogicModel.objects.visible_to(user).filter(
                state=LogicModel.State.ADOPTED
            )
        )
        .annotate(
            status=Subquery(latest_status), last_period=Max("measurements__period_end")
        )
        .select_related("element__model__partnership", "responsible")
    )
    off_track = list(indicators.filter(status="off_track").order_by("name")[:LIMIT])
    stale = []
    for indicator in indicators.order_by("last_period", "name")[:200]:
        allowed = datetime.timedelta(
            days=int(Indicator.FREQUENCY_DAYS[indicator.frequency] * 1.5)
        )
        if indicator.last_period is None or today - indicator.last_period > allowed:
            stale.append(indicator)
        if len(stale) >= LIMIT:
            break
    return {"off_track": off_track, "stale": stale}
