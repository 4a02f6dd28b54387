"""Reads of logic models that are not one view's: what the diagram, the
document export and the pages share. Callers have already applied the access
policy to the model they pass."""

from __future__ import annotations

import datetime

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
