"""The community-needs picture: needs signalled by completed screens, services
available for each need, and referrals made, by need, area and month, with the
referral figures' small-cell suppression.

The rule (as `referrals.metrics`, rules 2–5):

1. Periods are whole calendar months; areas are ZIP-3 areas.
2. A cell is one need × one area × one month of screens (a `NeedCount`), or
   one month × sender → receiver × area of referrals.
3. A figure is shown only if every cell it adds up counts 0 or at least 11;
   otherwise it shows as "—".
4. So every figure shown is a sum of cells of 0 or at least 11, and two
   queries that differ by an adjacent month or area differ by whole cells:
   the difference is again 0 or at least 11, never 1 to 10.

Services available are not about people and are not suppressed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Substr, TruncMonth

from directory import selectors as directory_selectors
from partnerships import permissions

from .models import Domain, NeedCount

SMALL = range(1, 11)


@dataclass
class Cell:
    value: int | None
    hidden: bool = False

    def __str__(self):
        return "—" if self.hidden else ("" if self.value is None else str(self.value))

    @property
    def shown(self):
        return None if self.hidden else self.value


def count(values) -> Cell:
    """A sum of cells, hidden unless every cell is 0 or at least 11 (rule 3)."""
    values = list(values)
    return Cell(sum(values), hidden=any(v in SMALL for v in values))


def may_see(user) -> bool:
    """Leadership viewers, coordinators and hub staff see the needs picture
    (the access policy's rule)."""
    return permissions.may_see_needs_picture(user)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of the whole months from `start` to `end` (rule 1)."""
    if start > end:
        start, end = end, start
    month, months = start.replace(day=1), []
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _categories_by_domain(version_content: dict | None) -> dict[str, set[str]]:
    """Which service categories meet each need, as the questionnaire says."""
    found: dict[str, set[str]] = defaultdict(set)
    for question in (version_content or {}).get("questions", []):
        for answer in question.get("answers", []):
            if answer.get("need"):
                found[answer["need"]].update(answer.get("categories") or [])
    return found


def picture(
    *,
    user,
    months: list[datetime.date],
    areas: list[str] | None = None,
    version_content: dict | None = None,
) -> dict:
    """Rows by need, by month and by area, each figure a `Cell`."""
    cells = NeedCount.objects.filter(month__in=months)
    if areas:
        cells = cells.filter(area__in=areas)
    rows = list(cells.values("domain", "area", "month", "screens"))
    by_domain, by_month, by_area = (
        defaultdict(list),
        defaultdict(list),
        defaultdict(list),
    )
    for row in rows:
        by_domain[row["domain"]].append(row["screens"])
        by_month[row["month"]].append(row["screens"])
        by_area[row["area"]].append(row["screens"])
    # Referrals the user's figures count, in the same months and areas.
    referrals = permissions.referrals_counted_for(user).filter(
        requested_at__date__gte=months[0],
        requested_at__date__lt=(months[-1] + datetime.timedelta(days=32)).replace(
            day=1
        ),
    )
    referrals = referrals.annotate(area=Substr("zip_code", 1, 3))
    if areas:
        referrals = referrals.filter(area__in=areas)
    referral_blocks = defaultdict(list)
    for block in (
        referrals.annotate(month=TruncMonth("requested_at"))
        .values("month", "sender_id", "receiver_id", "area")
        .annotate(n=Count("id"))
        .order_by()
    ):
        month = block["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        referral_blocks[month].append(block["n"])
    categories = _categories_by_domain(version_content)
    available = dict(
        directory_selectors.published_services()
        .values_list("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    domain_rows = [
        {
            "key": key,
            "label": label,
            "needs": count(by_domain.get(key, [])),
            "services": sum(available.get(c, 0) for c in categories.get(key, ())),
        }
        for key, label in Domain.choices
    ]
    month_rows = [
        {
            "month": month,
            "needs": count(by_month.get(month, [])),
            "referrals": count(referral_blocks.get(month, [])),
        }
        for month in months
    ]
    area_rows = [
        {"area": area or "—", "needs": count(values)}
        for area, values in sorted(by_area.items())
    ]
    hidden = any(
        row["needs"].hidden for row in [*domain_rows, *month_rows, *area_rows]
    ) or any(row["referrals"].hidden for row in month_rows)
    top = max((row["needs"].shown or 0 for row in domain_rows), default=0)
    for row in domain_rows:
        row["width"] = round(100 * (row["needs"].shown or 0) / top) if top else 0
    return {
        "domains": domain_rows,
        "months": month_rows,
        "areas": area_rows,
        "hidden": hidden,
    }


def table(data: dict) -> tuple[list[str], list[list]]:
    """The picture as one table for CSV/XLSX: hidden figures as "—"."""
    headers = [
        "Table",
        "Row",
        "Needs signalled",
        "Services available",
        "Referrals made",
    ]
    rows = []
    for row in data["domains"]:
        rows.append(
            ["By need", str(row["label"]), str(row["needs"]), row["services"], ""]
        )
    for row in data["months"]:
        rows.append(
            [
                "By month",
                row["month"].strftime("%Y-%m"),
                str(row["needs"]),
                "",
                str(row["referrals"]),
            ]
        )
    for row in data["areas"]:
        rows.append(["By ZIP-3 area", row["area"], str(row["needs"]), "", ""])
    return headers, rows
