"""Writes to a logic model's structure: the model, its elements, links (kept
acyclic), indicators, targets and ties to responsibilities and MOU clauses."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from partnerships.models import Partnership

from ..models import (
    Element,
    Indicator,
    Link,
    LogicModel,
    Target,
    check_number,
)
from .base import _editable, _log, _require


@transaction.atomic
def model_create(
    *, partnership: Partnership, by, title: str, problem_statement="", next_review=None
) -> LogicModel:
    _require(by, partnership)
    model = LogicModel.objects.create(
        partnership=partnership,
        title=title,
        problem_statement=problem_statement,
        next_review=next_review,
        created_by=by,
    )
    _log(model, "create", by)
    return model


@transaction.atomic
def element_add(*, model: LogicModel, by, kind: str, text: str, owner=None) -> Element:
    _require(by, model)
    _editable(model)
    if (
        owner is not None
        and not model.partnership.participations.filter(organisation=owner).exists()
    ):
        raise ValidationError("The owner must be one of the partner organisations.")
    order = (model.elements.filter(kind=kind).aggregate(o=Max("order"))["o"] or 0) + 1
    element = Element.objects.create(
        model=model, kind=kind, text=text.strip(), owner=owner, order=order
    )
    _log(model, "add_element", by, element=element.text[:80])
    return element


def find_cycle(edges: dict[int, set[int]], start: int, goal: int) -> list[int] | None:
    """Path from start to goal through existing links (adding goal → start would
    close it into a loop), or None."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        for following in edges.get(node, ()):
            stack.append((following, [*path, following]))
    return None


@transaction.atomic
def link_add(
    *, model: LogicModel, by, source: Element, target: Element, rationale: str = ""
) -> Link:
    _require(by, model)
    _editable(model)
    if source.model_id != model.pk or target.model_id != model.pk:
        raise ValidationError("Both elements must belong to this logic model.")
    if source.pk == target.pk:
        raise ValidationError("An element cannot lead to itself.")
    if Link.objects.filter(source=source, target=target).exists():
        raise ValidationError("These two elements are already linked.")
    edges: dict[int, set[int]] = {}
    for s, t in Link.objects.filter(model=model).values_list("source_id", "target_id"):
        edges.setdefault(s, set()).add(t)
    loop = find_cycle(edges, target.pk, source.pk)
    if loop:
        names = dict(model.elements.values_list("pk", "text"))
        chain = " → ".join(f"“{names[pk]}”" for pk in [source.pk, *loop])
        raise ValidationError(
            f"This link would make a loop: {chain}. A logic model runs one way, from "
            "resources to impact; remove one of these links first."
        )
    link = Link.objects.create(
        model=model, source=source, target=target, rationale=rationale
    )
    _log(model, "add_link", by, link=f"{source.text[:40]} → {target.text[:40]}")
    return link


@transaction.atomic
def indicator_add(*, element: Element, by, **fields) -> Indicator:
    model = element.model
    _require(by, model)
    if element.kind not in Element.MEASURABLE:
        raise ValidationError("Indicators belong to outputs, outcomes and impact.")
    indicator = Indicator(element=element, **fields)
    if not model.partnership.participations.filter(
        organisation=indicator.responsible
    ).exists():
        raise ValidationError("The responsible organisation must be a partner.")
    indicator.full_clean()
    indicator.save()
    _log(model, "add_indicator", by, indicator=indicator.name)
    return indicator


@transaction.atomic
def target_add(*, indicator: Indicator, by, period_start, period_end, value) -> Target:
    _require(by, indicator.element.model)
    if not period_start or not period_end:
        raise ValidationError("Give the period the target is for (start and end).")
    target = Target(
        indicator=indicator,
        period_start=period_start,
        period_end=period_end,
        value=check_number(value, "The target"),
    )
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def element_tie(*, element: Element, by, responsibility=None, clause=None) -> None:
    """Tie an activity to a tracked responsibility, or an outcome to an MOU
    clause, of the same partnership."""
    model = element.model
    _require(by, model)
    partnership_id = model.partnership_id
    if responsibility is not None:
        if element.kind != Element.Kind.ACTIVITY:
            raise ValidationError("Responsibilities are tied to activities.")
        if responsibility.partnership_id != partnership_id:
            raise ValidationError("That responsibility belongs to another partnership.")
        element.responsibilities.add(responsibility)
    if clause is not None:
        if element.kind not in Element.OUTCOMES:
            raise ValidationError("MOU clauses are tied to outcomes.")
        if clause.section.mou.partnership_id != partnership_id:
            raise ValidationError("That clause belongs to another partnership's MOU.")
        element.clauses.add(clause)
    _log(model, "add_link", by, link=f"{element.text[:40]} ↔ tracker/MOU")
