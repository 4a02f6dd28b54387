"""The referral panel of the leadership dashboard: per partnership, the referrals
the user's organisations sent or received this month and the two before, with
the same suppression as the metrics page (`referral_metrics`, rules 1–5)."""

import datetime

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accountability import figure_cache
from partnerships import permissions

from . import lifecycle
from .metrics import Cell, _count
from .models import ReferralProtocol

MONTHS = 3
LIMIT = 20


def _block_keys():
    return ("partnership_id", "month", "sender_id", "receiver_id")


def referral_figures(user) -> dict:
    """Cached until a write changes the referrals (or the access policy's rows)
    or a referral shown becomes late, whichever comes first."""
    return figure_cache.cached(
        "referral_figures",
        user,
        lambda: _figures(user),
        valid_until=lambda figures: figures["fresh_until"],
    )


def _figures(user) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    # Whole months, what leadership can still act on: this one and the two before.
    start = today.replace(day=1)
    for _ in range(MONTHS - 1):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    counted = permissions.referrals_counted_for(user).requested_between(start, today)
    names = dict(
        counted.values_list("partnership_id", "partnership__name")
        .distinct()
        .order_by("partnership__name", "partnership_id")[:LIMIT]
    )
    counted = counted.filter(partnership_id__in=list(names))
    blocks = (
        counted.annotate(month=TruncMonth("requested_at"))
        .values(*_block_keys())
        .annotate(
            made=Count("id"),
            closed=Count("id", filter=Q(loop_closed_at__isnull=False)),
        )
        .order_by()
    )
    outcome_days = dict(
        ReferralProtocol.objects.filter(partnership_id__in=list(names)).values_list(
            "partnership_id", "outcome_days"
        )
    )
    # One grouped query per distinct deadline (partnerships usually share one).
    by_deadline: dict[int, list[int]] = {}
    for partnership_id in names:
        days = outcome_days.get(partnership_id, 30)
        by_deadline.setdefault(days, []).append(partnership_id)
    late: dict[tuple, int] = {}
    fresh_until = None
    for days, partnership_ids in by_deadline.items():
        cutoff = now - datetime.timedelta(days=days)
        for row in (
            counted.filter(
                partnership_id__in=partnership_ids, loop_closed_at__isnull=True
            )
            .exclude(status__in=lifecycle.FINAL - {"completed"})
            .annotate(month=TruncMonth("requested_at"))
            .values(*_block_keys())
            .annotate(
                n=Count("id", filter=Q(requested_at__lt=cutoff)),
                # The first referral shown that is not late yet becomes late
                # at its deadline: the cached figures hold until then.
                first=Min("requested_at", filter=Q(requested_at__gte=cutoff)),
            )
            .order_by()
        ):
            if row["n"]:
                late[tuple(row[key] for key in _block_keys())] = row["n"]
            if row["first"] is not None:
                until = row["first"] + datetime.timedelta(days=days)
                fresh_until = until if fresh_until is None else min(fresh_until, until)
    per_partnership: dict[int, list[dict]] = {pk: [] for pk in names}
    for block in blocks:
        block["late"] = late.get(tuple(block[key] for key in _block_keys()), 0)
        per_partnership[block["partnership_id"]].append(block)
    rows = []
    for partnership_id, name in names.items():
        mine = per_partnership[partnership_id]
        made = _count(b["made"] for b in mine)
        closed = _count(b["closed"] for b in mine)
        if made.hidden or closed.hidden:
            rate = Cell(None, hidden=True)
        else:
            rate = Cell(
                round(100 * closed.value / made.value, 1) if made.value else None
            )
        rows.append(
            {
                "partnership_id": partnership_id,
                "partnership__name": name,
                "made": made,
                "closed": closed,
                "late": _count(b["late"] for b in mine),
                "rate": rate,
            }
        )
    return {"rows": rows, "since": start, "fresh_until": fresh_until}
