"""Writes of progress: measurements (typed or imported from CSV, checked row by
row) and check-ins."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from partnerships import permissions

from ..models import (
    CheckIn,
    Indicator,
    Measurement,
    check_number,
)
from .base import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, _log


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


def may_measure(by, indicator: Indicator) -> bool:
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
    if not may_measure(by, indicator):
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
    if not may_measure(by, indicator):
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
    if not may_measure(by, indicator):
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
