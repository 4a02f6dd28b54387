"""The referral panel of the leadership dashboard."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from . import referral_lifecycle as lifecycle
from .models import Referral, ReferralProtocol

WINDOW_DAYS = 90


def referral_figures(user) -> dict:
    now = timezone.now()
    # The last 90 days: what leadership can still act on.
    visible = (
        Referral.objects.visible_to(user)
        .filter(requested_at__gte=now - datetime.timedelta(days=WINDOW_DAYS))
        .exclude(status="entered-in-error")
    )
    rows = list(
        visible.values("partnership_id", "partnership__name")
        .annotate(
            made=Count("id"),
            closed=Count("id", filter=Q(loop_closed_at__isnull=False)),
        )
        .order_by("partnership__name")[:20]
    )
    outcome_days = dict(
        ReferralProtocol.objects.filter(
            partnership_id__in=[r["partnership_id"] for r in rows]
        ).values_list("partnership_id", "outcome_days")
    )
    # One grouped query per distinct deadline (partnerships usually share one).
    by_deadline: dict[int, list[int]] = {}
    for row in rows:
        days = outcome_days.get(row["partnership_id"], 30)
        by_deadline.setdefault(days, []).append(row["partnership_id"])
    late: dict[int, int] = {}
    for days, partnership_ids in by_deadline.items():
        late.update(
            visible.filter(
                partnership_id__in=partnership_ids,
                loop_closed_at__isnull=True,
                requested_at__lt=now - datetime.timedelta(days=days),
            )
            .exclude(status__in=lifecycle.FINAL - {"completed"})
            .values("partnership_id")
            .annotate(n=Count("id"))
            .values_list("partnership_id", "n")
        )
    for row in rows:
        row["late"] = late.get(row["partnership_id"], 0)
        row["rate"] = (
            round(100 * row["closed"] / row["made"], 1) if row["made"] else None
        )
    return {"rows": rows}
