"""Reads of logic models that are not one view's: what the diagram, the
document export and the pages share. Callers have already applied the access
policy to the model they pass."""

from __future__ import annotations

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
