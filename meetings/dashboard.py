"""Meeting cadence for the leadership dashboard: held against scheduled over
the last two quarters, minutes recorded, actions still open."""

import datetime

from django.db.models import Count, Prefetch
from django.utils import timezone

from accountability.models import Responsibility

from .models import Meeting, MeetingSeries

WINDOW_DAYS = 182
ROWS = 12


def cadence_figures(user, now: datetime.datetime | None = None) -> dict:
    from .services import occurrences

    now = now or timezone.now()
    start = now - datetime.timedelta(days=WINDOW_DAYS)
    # Only meetings that can matter for the window (moves stay within days).
    window = Meeting.objects.filter(
        original_start__gte=start - datetime.timedelta(days=31),
        original_start__lt=now + datetime.timedelta(days=31),
    )
    series = list(
        MeetingSeries.objects.visible_to(user)
        .select_related("partnership")
        .prefetch_related(Prefetch("meetings", queryset=window))
        .order_by("partnership__name", "title")[:200]
    )
    rows: dict[int, list] = {}
    for item in series:
        expected = [
            o
            for o in occurrences(
                item,
                start=start,
                end=now,
                limit=400,
                meetings=list(item.meetings.all()),
            )
            if not o.cancelled
        ]
        held = [
            m
            for m in item.meetings.all()
            if m.state in (Meeting.State.HELD, Meeting.State.CLOSED)
            and start <= m.start < now
        ]
        minutes = [m for m in held if m.state == Meeting.State.CLOSED]
        row = rows.setdefault(item.partnership_id, [item.partnership.name, 0, 0, 0, 0])
        row[1] += len(expected)
        row[2] += len(held)
        row[3] += len(minutes)
    open_actions = dict(
        Responsibility.objects.filter(
            partnership_id__in=rows, source=Responsibility.Source.MEETING_ACTION
        )
        .open()
        .values("partnership_id")
        .annotate(n=Count("id"))
        .values_list("partnership_id", "n")
    )
    for pk, row in rows.items():
        row[4] = open_actions.get(pk, 0)
    table = sorted(rows.values(), key=lambda r: r[0])[:ROWS]
    return {
        "rows": table,
        "headers": [
            "Partnership",
            "Scheduled",
            "Held",
            "Minutes closed",
            "Open actions",
        ],
    }
