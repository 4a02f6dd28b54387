"""Versions of a logic model: adopting a draft (retiring the one before), a new
draft from the adopted one or from a learning-log proposal, and the quality
checklist a draft is adopted against."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from accountability import services as accountability_services
from partnerships import permissions

from ..models import (
    Element,
    Indicator,
    Link,
    LogicModel,
    Target,
)
from .base import _log, _require


@transaction.atomic
def model_adopt(*, model: LogicModel, by) -> LogicModel:
    """Adopt a draft and retire the version adopted before it. Every version of
    the partnership's model is locked first, so two coordinators adopting two
    drafts at once leave exactly one adopted."""
    _require(by, model, permissions.can_coordinate)
    versions = list(
        LogicModel.objects.select_for_update()
        .filter(partnership_id=model.partnership_id)
        .order_by("pk")
    )
    locked = next(version for version in versions if version.pk == model.pk)
    if not can_proceed(locked.adopt):
        raise ValidationError(
            f"Only a draft can be adopted; this version is "
            f"{locked.get_state_display().lower()}."
        )
    for version in versions:
        if version.state == LogicModel.State.ADOPTED:
            version.retire()
            version.save(update_fields=["state", "updated_at"])
            _log(version, "retire", by)
    locked.adopt()
    locked.save(update_fields=["state", "adopted_at", "updated_at"])
    _log(locked, "adopt", by)
    model.state, model.adopted_at = locked.state, locked.adopted_at
    return locked


@transaction.atomic
def model_new_version(*, model: LogicModel, by, reason: str = "") -> LogicModel:
    """A draft copy to change; the adopted version stays readable until the new
    one is adopted."""
    _require(by, model, permissions.can_coordinate)
    copy = LogicModel.objects.create(
        partnership=model.partnership,
        title=model.title,
        problem_statement=model.problem_statement,
        next_review=model.next_review,
        previous=model,
        created_by=by,
    )
    mapping = {}
    for element in model.elements.all():
        mapping[element.pk] = Element.objects.create(
            model=copy,
            kind=element.kind,
            text=element.text,
            owner_id=element.owner_id,
            order=element.order,
        )
    Link.objects.bulk_create(
        Link(model=copy, source=mapping[s], target=mapping[t], rationale=r)
        for s, t, r in model.links.values_list("source_id", "target_id", "rationale")
    )
    for indicator in Indicator.objects.filter(element__model=model):
        targets = list(indicator.targets.all())
        indicator.pk = None
        indicator.element = mapping[indicator.element_id]
        indicator.save()
        Target.objects.bulk_create(
            Target(
                indicator=indicator,
                period_start=t.period_start,
                period_end=t.period_end,
                value=t.value,
            )
            for t in targets
        )
    _log(copy, "new_version", by, reason=reason[:200])
    return copy


def quality_checklist(model: LogicModel) -> list[tuple[str, bool]]:
    """The model's quality checks: (what, passed)."""
    elements = list(model.elements.prefetch_related("indicators__targets"))
    incoming = set(
        model.links.filter(source__kind=Element.Kind.ACTIVITY).values_list(
            "target_id", flat=True
        )
    )
    checks = []
    for element in elements:
        if element.kind in Element.OUTCOMES:
            checks.append(
                (f"“{element.text}” has an indicator", bool(element.indicators.all()))
            )
        if element.kind == Element.Kind.OUTPUT:
            checks.append(
                (
                    f"Output “{element.text}” comes from an activity",
                    element.pk in incoming,
                )
            )
        for indicator in element.indicators.all():
            checks.append(
                (
                    f"“{indicator.name}” has a baseline (or is marked pending)",
                    indicator.baseline_value is not None or indicator.baseline_pending,
                )
            )
            checks.append(
                (f"“{indicator.name}” has a target", bool(indicator.targets.all()))
            )
    checks.append(
        (
            "The review date has not passed",
            bool(model.next_review and model.next_review >= timezone.localdate()),
        )
    )
    return checks


@transaction.atomic
def version_from_proposal(*, entry, by) -> LogicModel:
    """A learning-log proposal to change the logic model opens a new draft of the
    adopted model; the proposal is accepted with a link to it."""

    _require(by, entry.partnership, permissions.can_coordinate)
    adopted = entry.partnership.logic_models.filter(
        state=LogicModel.State.ADOPTED
    ).first()
    if adopted is None:
        raise ValidationError("There is no adopted logic model to change yet.")
    draft = model_new_version(model=adopted, by=by, reason=entry.proposal)
    accountability_services.learning_proposal_decide(
        entry=entry,
        by=by,
        accept=True,
        note=f"Opened a new draft of the logic model: {draft.get_absolute_url()}",
    )
    return draft
