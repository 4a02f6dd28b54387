"""Referral metrics, computed in the database, with small-cell suppression that
also holds when someone compares two queries.

The rule (DESIGN §5, DOMAIN "Small-cell suppression"; who counts what is
`permissions.referrals_counted_for`):

1. A person's figures count only referrals their organisations sent or received
   (leadership viewers included: figures, never client details); hub staff count
   all. Referrals entered in error never count.
2. Periods are whole calendar months: `from` moves back to the first of its
   month and `until` forward to the last day of its month (the page says so).
3. Every figure is a sum of blocks: one calendar month of referrals from one
   sender to one receiver. For a breakdown, a block is split into pieces per
   group; within each block, a piece of 1 to 10 is hidden, and then the
   smallest other non-zero pieces of that block are hidden with it until the
   hidden pieces of the block together count 0 or at least 11. The hidden
   pieces of a block form one piece.
4. A count (a total, a summary count, a cell of a breakdown) is shown only if
   every block (or piece) it adds up counts 0 or at least 11; otherwise it shows
   as "—". A rate is shown only if its numerator and denominator are; a mean or
   percentile only if the number of values it is taken over passes rule 4 block
   by block.
5. So every figure shown is a sum of pieces of 0 or at least 11, and the
   pieces do not depend on the query. Any two allowed queries differ by whole
   blocks (another month, another pair), so the difference between the same
   figure in two queries, and between a total and the cells shown under it (the
   hidden remainder), is again a sum of such pieces: 0 or at least 11, never 1
   to 10. A mean shown for two queries differs by a mean over 0 or at least 11
   values.
6. Groups of free-text breakdowns (language, ZIP code) whose count is hidden
   are not named: they are folded into one row.

Not covered: watching the same query over time (a referral made today changes
this month's figures) and combining breakdowns of different dimensions with
each other.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Case, Count, F, Q, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accountability import figure_cache

from .models import Referral

SMALL = range(1, 11)
ACCEPTED = ["accepted", "in-progress", "on-hold", "completed", "failed"]
WHOLE_MONTHS = (
    "Figures cover whole calendar months, so the period runs from {start:%-d %B %Y} "
    "to {end:%-d %B %Y}."
)

FIELDS = {
    "acknowledge": "seconds_to_acknowledge",
    "service": "seconds_to_service",
    "close": "seconds_to_close",
}


def month_period(start: datetime.date, end: datetime.date):
    """The whole calendar months covering `start` to `end` (rule 2)."""
    if start > end:
        start, end = end, start
    first = start.replace(day=1)
    after = (end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first, after - datetime.timedelta(days=1)


def working_days_as_calendar(days: int) -> int:
    """N working days as calendar days (a week has five working days)."""
    return days + 2 * math.ceil(days / 5)


@dataclass
class Cell:
    value: int | float | None
    hidden: bool = False

    def __str__(self):
        return "—" if self.hidden else ("" if self.value is None else str(self.value))

    @property
    def shown(self):
        """The value, or None when hidden."""
        return None if self.hidden else self.value


def _count(values) -> Cell:
    """A sum of blocks, hidden unless every block is 0 or at least 11 (rule 4)."""
    values = list(values)
    return Cell(sum(values), hidden=any(v in SMALL for v in values))


def _blocks(referrals, *extra):
    """Grouped by block: calendar month × sender → receiver (rule 3)."""
    return (
        referrals.annotate(month=TruncMonth("requested_at"))
        .values("month", "sender_id", "receiver_id", *extra)
        .order_by()
    )


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


@dataclass
class Summary:
    counts: dict[str, Cell]
    satisfaction: Cell
    days: dict = field(default_factory=dict)

    def __getattr__(self, name):
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    def rate(self, part: str, whole: str = "made") -> Cell:
        """A percentage, hidden when either count is (rule 4)."""
        top, bottom = self.counts[part], self.counts[whole]
        if top.hidden or bottom.hidden:
            return Cell(None, hidden=True)
        if not bottom.value:
            return Cell(None)
        return Cell(round(100 * top.value / bottom.value, 1))


def summary(referrals, *, acknowledge_days: int = 2, outcome_days: int = 30) -> Summary:
    """The summary figures of `referrals`, cached until a write changes what
    they read (accountability.figure_cache; the key is the queryset's SQL, so
    whose referrals they are is part of it)."""
    return figure_cache.cached(
        "referral_summary",
        None,
        lambda: _summary(
            referrals, acknowledge_days=acknowledge_days, outcome_days=outcome_days
        ),
        figure_cache.queryset_key(referrals),
        acknowledge_days,
        outcome_days,
    )


def _summary(referrals, *, acknowledge_days: int, outcome_days: int) -> Summary:
    ack_window = working_days_as_calendar(acknowledge_days) * 86400
    outcome_window = outcome_days * 86400
    rows = list(
        _blocks(referrals).annotate(
            made=Count("id"),
            accepted=Count("id", filter=Q(status__in=ACCEPTED)),
            rejected=Count("id", filter=Q(status="rejected")),
            completed=Count("id", filter=Q(status="completed")),
            closed_loop=Count("id", filter=Q(loop_closed_at__isnull=False)),
            acknowledged_in_time=Count(
                "id", filter=Q(seconds_to_acknowledge__lte=ack_window)
            ),
            outcome_in_time=Count("id", filter=Q(seconds_to_close__lte=outcome_window)),
            rated=Count("satisfaction"),
            **{f"{label}_n": Count(name) for label, name in FIELDS.items()},
        )
    )
    names = [key for key in (rows[0] if rows else {}) if key not in _BLOCK_KEYS]
    counts = {name: _count(row[name] for row in rows) for name in names}
    if not rows:
        counts = {name: Cell(0) for name in _SUMMARY_NAMES}
    rated = counts["rated"]
    if rated.hidden or not rated.value:
        satisfaction = Cell(None, hidden=rated.hidden)
    else:
        mean = referrals.aggregate(mean=Avg("satisfaction"))["mean"]
        satisfaction = Cell(round(mean, 2))
    days = {}
    for label, name in FIELDS.items():
        values = counts[f"{label}_n"]
        days[label] = {
            key: Cell(None, hidden=True)
            if values.hidden
            else Cell(_percentile(referrals, name, share) if values.value else None)
            for key, share in (("median", 0.5), ("p90", 0.9))
        }
    return Summary(counts=counts, satisfaction=satisfaction, days=days)


_BLOCK_KEYS = {"month", "sender_id", "receiver_id"}
_SUMMARY_NAMES = [
    "made",
    "accepted",
    "rejected",
    "completed",
    "closed_loop",
    "acknowledged_in_time",
    "outcome_in_time",
    "rated",
    *(f"{label}_n" for label in FIELDS),
]


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
# Free text: a hidden group is not named (rule 6).
UNNAMED_WHEN_HIDDEN = {"language", "zip_code"}
COUNTS = ["made", "completed", "closed"]
FOLDED = "Other groups (small numbers)"


def _hidden_pieces(pieces: dict) -> set:
    """Within one block: the groups of 1 to 10, then the smallest others until
    the hidden ones together count 0 or at least 11 (rule 3)."""
    hidden = {group for group, value in pieces.items() if value in SMALL}
    while sum(pieces[group] for group in hidden) in SMALL:
        others = sorted(
            (value, str(group), group)
            for group, value in pieces.items()
            if group not in hidden and value
        )
        if not others:
            break
        hidden.add(others[0][2])
    return hidden


def breakdown(referrals, dimension: str) -> tuple[list[dict], list[str]]:
    """Rows of (group, made, completed, loop closed, completion rate) as Cells,
    and sentences saying what was hidden (cached as `summary` is)."""
    return figure_cache.cached(
        "referral_breakdown",
        None,
        lambda: _breakdown(referrals, dimension),
        figure_cache.queryset_key(referrals),
        dimension,
    )


def _breakdown(referrals, dimension: str) -> tuple[list[dict], list[str]]:
    if dimension == "age_band":
        grouped = referrals.annotate(group=_age_band())
    else:
        grouped = referrals.annotate(group=F(dimension))
    labels = (
        dict(Referral.RaceEthnicity.choices) if dimension == "race_ethnicity" else {}
    )
    rows = _blocks(grouped, "group").annotate(
        made=Count("id"),
        completed=Count("id", filter=Q(status="completed")),
        closed=Count("id", filter=Q(loop_closed_at__isnull=False)),
    )
    blocks: dict = defaultdict(dict)
    totals: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for row in rows:
        group = row["group"] or ""
        blocks[(row["month"], row["sender_id"], row["receiver_id"])][group] = row
        for key in COUNTS:
            totals[group][key] += row[key]
    hidden = {key: set() for key in COUNTS}
    complementary = False
    for pieces in blocks.values():
        for key in COUNTS:
            values = {group: row[key] for group, row in pieces.items()}
            chosen = _hidden_pieces(values)
            complementary |= any(values[g] not in SMALL for g in chosen)
            hidden[key] |= chosen
    cells, folded = [], False
    for group in sorted(totals, key=lambda g: (g == "", str(labels.get(g, g)))):
        row = {
            "group": labels.get(group, group) or "Not recorded",
            **{
                key: Cell(totals[group][key], hidden=group in hidden[key])
                for key in COUNTS
            },
        }
        made, completed = row["made"], row["completed"]
        if made.hidden or completed.hidden:
            row["completion_rate"] = Cell(None, hidden=True)
        elif made.value:
            row["completion_rate"] = Cell(round(100 * completed.value / made.value, 1))
        else:
            row["completion_rate"] = Cell(None)
        if made.hidden and group and dimension in UNNAMED_WHEN_HIDDEN:
            folded = True
            continue
        cells.append(row)
    if folded:
        cells.append(
            {
                "group": FOLDED,
                **{key: Cell(None, hidden=True) for key in COUNTS},
                "completion_rate": Cell(None, hidden=True),
            }
        )
    notes = []
    if any(row[key].hidden for row in cells for key in COUNTS):
        notes.append(
            "Counts from 1 to 10 are hidden (—) to protect the people they describe, "
            "month by month and partner by partner, and rates built on a hidden "
            "count are hidden too."
        )
    if complementary:
        notes.append(
            "Some larger counts are hidden as well, so the small ones cannot be "
            "worked out from the totals."
        )
    if folded:
        notes.append(f"Groups with hidden counts are not named: see “{FOLDED}”.")
    return cells, notes
