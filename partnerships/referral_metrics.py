"""Referral metrics, computed in the database, and small-cell suppression for
equity breakdowns: counts from 1 to 10 are hidden, and so is any other cell
from which a hidden one could be recomputed, and any rate built on one."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    Q,
    Value,
    When,
)
from django.utils import timezone

from .models import Referral

SMALL = range(1, 11)
ACCEPTED = ["accepted", "in-progress", "on-hold", "completed", "failed"]


FIELDS = {
    "acknowledge": "seconds_to_acknowledge",
    "service": "seconds_to_service",
    "close": "seconds_to_close",
}


def _percentile(queryset, field: str, share: float) -> float | None:
    """The share-th percentile of a stored duration, in the database: count,
    then fetch the one value at that rank (nearest-rank method)."""
    rows = queryset.filter(**{f"{field}__isnull": False})
    count = rows.count()
    if not count:
        return None
    rank = max(1, math.ceil(share * count)) - 1
    seconds = rows.order_by(field).values_list(field, flat=True)[rank]
    return round(seconds / 86400, 1)


def working_days_as_calendar(days: int) -> int:
    """N working days as calendar days (a week has five working days)."""
    return days + 2 * math.ceil(days / 5)


@dataclass
class Summary:
    made: int
    accepted: int
    rejected: int
    completed: int
    closed_loop: int
    acknowledged_in_time: int
    outcome_in_time: int
    satisfaction: float | None
    days: dict

    def rate(self, part: int, whole: int | None = None) -> float | None:
        whole = self.made if whole is None else whole
        return round(100 * part / whole, 1) if whole else None


def summary(referrals, *, acknowledge_days: int = 2, outcome_days: int = 30) -> Summary:
    ack_window = working_days_as_calendar(acknowledge_days) * 86400
    outcome_window = outcome_days * 86400
    numbers = referrals.aggregate(
        made=Count("id"),
        accepted=Count("id", filter=Q(status__in=ACCEPTED)),
        rejected=Count("id", filter=Q(status="rejected")),
        completed=Count("id", filter=Q(status="completed")),
        closed_loop=Count("id", filter=Q(loop_closed_at__isnull=False)),
        acknowledged_in_time=Count(
            "id", filter=Q(seconds_to_acknowledge__lte=ack_window)
        ),
        outcome_in_time=Count("id", filter=Q(seconds_to_close__lte=outcome_window)),
        satisfaction=Avg("satisfaction"),
    )
    days = {}
    for label, field in FIELDS.items():
        days[label] = {
            "median": _percentile(referrals, field, 0.5),
            "p90": _percentile(referrals, field, 0.9),
        }
    satisfaction = numbers.pop("satisfaction")
    return Summary(
        **numbers,
        satisfaction=round(satisfaction, 2) if satisfaction is not None else None,
        days=days,
    )


def _age_band():
    year = timezone.localdate().year
    return Case(
        When(birth_year__gt=year - 18, then=Value("0–17")),
        When(birth_year__gt=year - 25, then=Value("18–24")),
        When(birth_year__gt=year - 45, then=Value("25–44")),
        When(birth_year__gt=year - 65, then=Value("45–64")),
        default=Value("65+"),
    )


BREAKDOWNS = {
    "race_ethnicity": "Race and ethnicity",
    "language": "Primary language",
    "age_band": "Age band",
    "zip_code": "ZIP code",
}


@dataclass
class Cell:
    value: int | float | None
    hidden: bool = False

    def __str__(self):
        return "—" if self.hidden else ("" if self.value is None else str(self.value))


def breakdown(referrals, dimension: str) -> list[dict]:
    """Rows of (group, made, completed, closed loop) counted in the database."""
    if dimension == "age_band":
        grouped = referrals.annotate(group=_age_band())
    else:
        grouped = referrals.annotate(group=F(dimension))
    labels = (
        dict(Referral.RaceEthnicity.choices) if dimension == "race_ethnicity" else {}
    )
    rows = (
        grouped.values("group")
        .annotate(
            made=Count("id"),
            completed=Count("id", filter=Q(status="completed")),
            closed=Count("id", filter=Q(loop_closed_at__isnull=False)),
        )
        .order_by("group")
    )
    return [
        {
            "group": labels.get(row["group"], row["group"]) or "Not recorded",
            "made": row["made"],
            "completed": row["completed"],
            "closed": row["closed"],
        }
        for row in rows
    ]


COUNTS = ["made", "completed", "closed"]


def suppress(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """Apply primary and complementary suppression. Returns rows of Cells and
    sentences explaining what was hidden."""
    cells = [
        {"group": row["group"], **{k: Cell(row[k]) for k in COUNTS}} for row in rows
    ]
    notes = []
    for key in COUNTS:
        for row in cells:
            if row[key].value in SMALL:
                row[key].hidden = True
        hidden = [row for row in cells if row[key].hidden]
        # The column total is shown, so a single hidden cell could be recomputed:
        # hide the smallest other non-zero cell too.
        if len(hidden) == 1:
            candidates = sorted(
                (row for row in cells if not row[key].hidden and row[key].value),
                key=lambda row: row[key].value,
            )
            if candidates:
                candidates[0][key].hidden = True
                notes.append(
                    f"One more “{key}” count ({candidates[0]['group']}) is hidden so "
                    "the small one cannot be worked out from the total."
                )
    for row in cells:
        # completed ≤ made and closed ≤ made: a shown made with a hidden part is fine;
        # a hidden made with both parts shown could reveal it only through totals,
        # which the column rule already covers.
        made, completed = row["made"], row["completed"]
        rate_hidden = made.hidden or completed.hidden or not made.value
        row["completion_rate"] = Cell(
            None if rate_hidden else round(100 * completed.value / made.value, 1),
            hidden=made.hidden or completed.hidden,
        )
    if any(row[k].hidden for row in cells for k in COUNTS):
        notes.insert(
            0,
            "Counts from 1 to 10 are hidden (—) to protect the people they describe, "
            "and rates built on a hidden count are hidden too.",
        )
    return cells, notes
