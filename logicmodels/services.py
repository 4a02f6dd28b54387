"""Every write to logic models: elements, links (kept acyclic), indicators,
targets, measurements (typed or imported), check-ins and versions."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_fsm import can_proceed
from wagtail.log_actions import log

from accountability import services as accountability_services
from partnerships import permissions
from partnerships.models import Partnership

from .models import (
    CheckIn,
    Element,
    Indicator,
    Link,
    LogicModel,
    Measurement,
    Target,
    check_number,
)

# One import request stays small enough to check every row and store it at once.
MAX_IMPORT_ROWS = 5_000
MAX_IMPORT_BYTES = 1_000_000


def _require(by, model_or_partnership, check=permissions.can_edit):
    partnership = (
        model_or_partnership
        if isinstance(model_or_partnership, Partnership)
        else model_or_partnership.partnership
    )
    if not check(by, partnership):
        raise PermissionDenied


def _log(model: LogicModel, verb: str, by, **data):
    log(
        model.partnership,
        f"logicmodels.{verb}",
        user=by,
        data={"model": model.title, **data},
    )


def _editable(model: LogicModel):
    if not model.is_editable:
        raise ValidationError(
            f"This logic model is {model.get_state_display().lower()}; start a new "
            "version to change it."
        )


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


def _check_measurement(indicator: Indicator, start, end, value) -> None:
    if start is None or end is None:
        raise ValidationError("Give the period the value is for.")
    if end < start:
        raise ValidationError("The period ends before it starts.")
    if not (indicator.in_range(start) and indicator.in_range(end)):
        until = (
            indicator.reporting_until.isoformat()
            if indicator.reporting_until
            else "now"
        )
        raise ValidationError(
            f"{start}–{end} is outside this indicator's reporting range "
            f"({indicator.reporting_from} to {until})."
        )
    if value is None:
        raise ValidationError("Give a value, or a numerator and a denominator.")


def _may_measure(by, indicator: Indicator) -> bool:
    partnership = indicator.element.model.partnership
    return permissions.can_coordinate(by, partnership) or (
        indicator.responsible_id in permissions.editing_organisations(by, partnership)
    )


def _value(value, numerator, denominator):
    """The reported value, checked: given, or numerator / denominator."""
    value = check_number(value, "The value")
    numerator = check_number(numerator, "The numerator")
    denominator = check_number(denominator, "The denominator")
    if value is not None:
        return value
    if numerator is not None and denominator:
        return check_number(
            (numerator / denominator).quantize(Decimal("0.0001")),
            "Numerator divided by denominator",
        )
    return None


@transaction.atomic
def measurement_add(
    *,
    indicator: Indicator,
    by,
    period_start,
    period_end,
    value=None,
    numerator=None,
    denominator=None,
    note="",
) -> Measurement:
    if not _may_measure(by, indicator):
        raise PermissionDenied(
            "Measurements are entered by the responsible organisation."
        )
    value = _value(value, numerator, denominator)
    _check_measurement(indicator, period_start, period_end, value)
    measurement = Measurement(
        indicator=indicator,
        period_start=period_start,
        period_end=period_end,
        value=value,
        numerator=numerator,
        denominator=denominator,
        note=note,
        entered_by=by,
    )
    measurement.full_clean()
    measurement.save()
    return measurement


CSV_COLUMNS = [
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "note",
]


def _decimal(text: str, name: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValidationError(f"{name} “{text}” is not a number.") from None
    return check_number(number, name)


def too_big_message() -> str:
    return (
        f"The file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB, the most one "
        f"import takes. Nothing was imported: split it into files of at most "
        f"{MAX_IMPORT_ROWS:,} rows and import them one after another."
    )


def too_many_message() -> str:
    return (
        f"The file has more than {MAX_IMPORT_ROWS:,} rows, the most one import "
        "takes. Nothing was imported: split it into files of at most "
        f"{MAX_IMPORT_ROWS:,} rows (each with the header line) and import them one "
        "after another."
    )


def _date(text: str, name: str):
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError(f"{name} “{text}” is not a date (YYYY-MM-DD).") from None


def measurements_import(
    *, indicator: Indicator, by, data: bytes
) -> tuple[int, list[str]]:
    """Import a CSV (period_start, period_end, value or numerator/denominator,
    note). Every bad row is reported and nothing is imported if any row is bad;
    a file over MAX_IMPORT_ROWS rows or MAX_IMPORT_BYTES is refused whole."""
    if not _may_measure(by, indicator):
        raise PermissionDenied
    if len(data) > MAX_IMPORT_BYTES:
        return 0, [too_big_message()]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return 0, ["The file is not UTF-8 text. Save it as CSV (UTF-8) and try again."]
    reader = csv.DictReader(io.StringIO(text))
    missing = {"period_start", "period_end"} - set(reader.fieldnames or [])
    if missing:
        return 0, [
            "The first line must name the columns: " + ", ".join(CSV_COLUMNS) + "."
        ]
    rows, problems = [], []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            return 0, [too_many_message()]
        try:
            start = _date(row.get("period_start"), "period_start")
            end = _date(row.get("period_end"), "period_end")
            value = _value(
                _decimal(row.get("value"), "value"),
                _decimal(row.get("numerator"), "numerator"),
                _decimal(row.get("denominator"), "denominator"),
            )
            _check_measurement(indicator, start, end, value)
        except ValidationError as error:
            problems.append(f"Row {number}: {' '.join(error.messages)}")
            continue
        rows.append(
            Measurement(
                indicator=indicator,
                period_start=start,
                period_end=end,
                value=value,
                numerator=_decimal(row.get("numerator"), "numerator"),
                denominator=_decimal(row.get("denominator"), "denominator"),
                note=(row.get("note") or "")[:300],
                entered_by=by,
            )
        )
    if problems:
        return 0, problems
    if not rows:
        return 0, ["The file has no rows to import."]
    with transaction.atomic():
        Measurement.objects.bulk_create(rows)
        _log(
            indicator.element.model,
            "import_measurements",
            by,
            indicator=indicator.name,
            rows=len(rows),
        )
    return len(rows), []


@transaction.atomic
def checkin_add(
    *, indicator: Indicator, by, status: str, narrative: str, meeting=None
) -> CheckIn:
    if not _may_measure(by, indicator):
        raise PermissionDenied("Check-ins come from the responsible organisation.")
    if not narrative.strip():
        raise ValidationError("Say in a sentence or two why.")
    checkin = CheckIn.objects.create(
        indicator=indicator,
        status=status,
        narrative=narrative.strip(),
        author=by,
        meeting=meeting,
    )
    _log(
        indicator.element.model,
        "check_in",
        by,
        indicator=indicator.name,
        status=checkin.get_status_display(),
    )
    return checkin


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
