"""What a leadership viewer watches: they act in no partnership, so their next
steps are the places where the partnerships they follow need their attention."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from partnerships import permissions
from partnerships.models import Partnership
from partnerships.next_steps import NextStep

from .models import Responsibility


def next_steps(user) -> list[NextStep]:
    """For leadership viewers: overdue responsibilities across the partnerships
    they follow, counted per partnership, each leading to the leadership
    dashboard. One query, plus the policy's own."""
    if not permissions.follows_as_leadership(user):
        return []
    today = timezone.localdate()
    overdue = (
        Responsibility.objects.overdue(today)
        .filter(
            partnership__in=permissions.visible_partnerships(user).exclude(
                status=Partnership.Status.CLOSED
            )
        )
        .aggregate(
            items=Count("pk"),
            partnerships=Count("partnership", distinct=True),
        )
    )
    if not overdue["items"]:
        return []
    items, partnerships = overdue["items"], overdue["partnerships"]
    return [
        NextStep(
            "leadership.overdue",
            f"Review {items} overdue responsibilit{'y' if items == 1 else 'ies'} "
            f"across {partnerships} partnership{'' if partnerships == 1 else 's'}",
            reverse("accountability:dashboard"),
            urgent=True,
        )
    ]
