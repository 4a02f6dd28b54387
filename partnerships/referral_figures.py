"""The referral panel of the leadership dashboard."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from . import referral_lifecycle as lifecycle
from .models import Referral, ReferralProtocol


def referral_figures(user) -> dict:
    now = timezone.now()
    visible = Referral.objects.visible_to(user).exclude(status="entered-in-error")
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
    for row in rows:
        days = outcome_days.get(row["partnership_id"], 30)
        row["late"] = (
            visible.filter(
                partnership_id=row["partnership_id"],
                loop_closed_at__isnull=True,
                requested_at__lt=now - datetime.timedelta(days=days),
            )
            .exclude(status__in=lifecycle.FINAL - {"completed"})
            .count()
        )
        row["rate"] = (
            round(100 * row["closed"] / row["made"], 1) if row["made"] else None
        )
    return {"rows": rows}
