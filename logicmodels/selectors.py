"""Reads of logic models that are not one view's: what the diagram, the
document export and the pages share. Callers have already applied the access
policy to the model they pass."""

from __future__ import annotations

import datetime

from django.db.models import Max, Q
from django.utils import timezone

from partnerships import permissions
from partnerships.models import Partnership
from partnerships.next_steps import PER_APP, NextStep

from .diagram import Box
from .models import CheckIn, Indicator


def diagram_parts(model) -> tuple[list[Box], list[tuple[int, int]]]:
    """The boxes (with each indicator's latest check-in status) and links of a
    LogicModel, for diagram.render: three queries whatever its size."""
    latest: dict[int, str] = {}
    for indicator_id, status in (
        CheckIn.objects.filter(indicator__element__model=model)
        .order_by("indicator_id", "-created_at", "-pk")
        .values_list("indicator_id", "status")
    ):
        latest.setdefault(indicator_id, status)
    statuses: dict[int, list] = {}
    for indicator_id, element_id in Indicator.objects.filter(
        element__model=model
    ).values_list("pk", "element_id"):
        statuses.setdefault(element_id, []).append(latest.get(indicator_id))
    boxes = [
        Box(pk, kind, text, statuses.get(pk, []))
        for pk, kind, text in model.elements.order_by("order", "pk").values_list(
            "pk", "kind", "text"
        )
    ]
    links = list(model.links.values_list("source_id", "target_id"))
    return boxes, links


def diagram_svg(model) -> str:
    """The SVG picture of a LogicModel."""
    from . import diagram

    return diagram.render(model.title, *diagram_parts(model))


def next_target_period(indicator) -> dict:
    """The period a new target most likely covers, offered on the form: the year
    after the indicator's last target, or its first year of reporting, never
    past the end of reporting. One query."""
    last = (
        indicator.targets.order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    start = last + datetime.timedelta(days=1) if last else indicator.reporting_from
    if start is None:
        return {}
    try:
        end = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + 1, month=3, day=1)
    end -= datetime.timedelta(days=1)
    if indicator.reporting_until and end > indicator.reporting_until:
        end = indicator.reporting_until
    if end < start:
        return {}
    return {"period_start": start, "period_end": end}


# How long a reporting period lasts, by an indicator's frequency.
PERIOD_DAYS = {"monthly": 31, "quarterly": 92, "yearly": 366}


def next_steps(user) -> list:
    """Measurements due from organisations the person acts for: an indicator
    they are responsible for whose next reporting period has ended without a
    figure. One query, plus the policy's own."""
    acting = permissions.editing_org_ids_of(user)
    if not acting:
        return []
    today = timezone.localdate()
    overdue = Q()
    for frequency, days in PERIOD_DAYS.items():
        ended = today - datetime.timedelta(days=days)
        overdue |= Q(frequency=frequency) & (
            Q(last__lt=ended) | Q(last__isnull=True, reporting_from__lt=ended)
        )
    indicators = (
        Indicator.objects.filter(
            responsible_id__in=acting,
            element__model__partnership__in=permissions.visible_partnerships(user),
            reporting_from__lte=today,
        )
        .exclude(element__model__partnership__status=Partnership.Status.CLOSED)
        .exclude(reporting_until__lt=today - datetime.timedelta(days=366))
        .annotate(last=Max("measurements__period_end"))
        .filter(overdue)
        .select_related("element__model__partnership", "responsible")
        .order_by("last", "pk")[:PER_APP]
    )
    return [
        NextStep(
            "indicator.measure",
            f"Report “{indicator.name}” for {indicator.responsible.name} "
            + (
                f"(last figure to {indicator.last:%-d %b %Y})"
                if indicator.last
                else "(no figure yet)"
            )
            + f" ({indicator.element.model.partnership.name})",
            indicator.get_absolute_url(),
        )
        for indicator in indicators
    ]
