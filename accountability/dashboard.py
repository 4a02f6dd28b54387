"""Figures for the leadership dashboard, across the partnerships a person can
see. Each figure is a few aggregate queries, whatever the data size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.utils import timezone

from partnerships import permissions
from partnerships.models import Partnership

from .health import MIN_RESPONDENTS
from .models import (
    HealthCheckRound,
    LearningEntry,
    PracticeRating,
    Responsibility,
    ResponsibilityUpdate,
)

WINDOW_DAYS = 90
CHART_ROWS = 12


@dataclass
class Figure:
    """One dashboard figure: a table (headers, rows) that a chart draws."""

    key: str
    title: str
    headers: list[str]
    rows: list[list]
    summary: str = ""


def _visible(user):
    return permissions.visible_partnerships(user)


def overdue_by_organisation(user, today: datetime.date | None = None) -> Figure:
    today = today or timezone.localdate()
    rows = (
        Responsibility.objects.filter(partnership__in=_visible(user))
        .overdue(today)
        .values("owner__name")
        .annotate(overdue=Count("id"))
        .order_by("-overdue", "owner__name")
    )
    table = [[row["owner__name"], row["overdue"]] for row in rows]
    total = sum(row[1] for row in table)
    return Figure(
        "overdue",
        "Overdue responsibilities by organisation",
        ["Organisation", "Overdue"],
        table,
        f"{total} overdue" if total else "Nothing is overdue.",
    )


def completion(user, today: datetime.date | None = None) -> Figure:
    """Of the responsibilities that fell due in the last 90 days, how many were
    done, per partnership (each occurrence of a recurring one counts once)."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=WINDOW_DAYS)
    visible = _visible(user)
    done = set(
        ResponsibilityUpdate.objects.filter(
            responsibility__partnership__in=visible,
            status_to=Responsibility.Status.DONE,
            due_date__gte=start,
            due_date__lte=today,
        ).values_list("responsibility__partnership_id", "responsibility_id", "due_date")
    )
    still_open = set(
        Responsibility.objects.filter(
            partnership__in=visible, due_date__gte=start, due_date__lt=today
        )
        .open()
        .values_list("partnership_id", "pk", "due_date")
    )
    # Reopened after being done: it counts as open, not done.
    done -= still_open
    counts: dict[int, list[int]] = {}
    for partnership_id, _pk, _due in done:
        counts.setdefault(partnership_id, [0, 0])[0] += 1
    for partnership_id, _pk, _due in still_open:
        counts.setdefault(partnership_id, [0, 0])[1] += 1
    names = dict(Partnership.objects.filter(pk__in=counts).values_list("pk", "name"))
    table = sorted(
        (
            [names[pk], d, d + o, round(100 * d / (d + o), 1)]
            for pk, (d, o) in counts.items()
        ),
        key=lambda row: (row[3], row[0]),
    )
    total_done = sum(row[1] for row in table)
    total = sum(row[2] for row in table)
    summary = (
        f"{round(100 * total_done / total, 1)}% done on time or late "
        f"({total_done} of {total})"
        if total
        else "Nothing fell due in the last 90 days."
    )
    return Figure(
        "completion",
        "Completion of responsibilities due in the last 90 days",
        ["Partnership", "Done", "Fell due", "Completion %"],
        table,
        summary,
    )


def health_scores(user) -> Figure:
    """The latest health-check mean per partnership beside the one before, from
    finished rounds only (a live mean would reveal each answer as it comes)."""
    rows = (
        PracticeRating.objects.filter(response__round__partnership__in=_visible(user))
        .filter(
            Q(response__round__closed_at__isnull=False)
            | Q(response__round__closes_on__lt=timezone.localdate())
        )
        .values(
            "response__round_id",
            "response__round__partnership_id",
            "response__round__partnership__name",
            "response__round__opened_at",
        )
        .annotate(mean=Avg("score"), respondents=Count("response", distinct=True))
        .order_by("response__round__partnership_id", "-response__round__opened_at")
    )
    latest: dict[int, list] = {}
    for row in rows:
        entry = latest.setdefault(
            row["response__round__partnership_id"],
            [row["response__round__partnership__name"]],
        )
        if len(entry) < 3:
            shown = row["respondents"] >= MIN_RESPONDENTS
            entry.append(round(float(row["mean"]), 2) if shown else None)
    table = []
    for name, *means in latest.values():
        current = means[0]
        previous = means[1] if len(means) > 1 else None
        change = (
            round(current - previous, 2)
            if current is not None and previous is not None
            else None
        )
        table.append([name, current, previous, change])
    table.sort(key=lambda row: (row[1] is None, row[1] or 0, row[0]))
    return Figure(
        "health",
        "Latest health-check score (mean of the five practices, 1–5)",
        ["Partnership", "Latest", "Previous", "Change"],
        table,
        "Scores with fewer than 3 respondents are hidden.",
    )


@dataclass
class Attention:
    overdue: list
    stuck: list
    proposals: list
    health_rounds: list
    ending: list

    @property
    def empty(self) -> bool:
        return not any(
            [self.overdue, self.stuck, self.proposals, self.health_rounds, self.ending]
        )


def needs_attention(user, today: datetime.date | None = None, limit: int = 8):
    today = today or timezone.localdate()
    visible = _visible(user)
    responsibilities = Responsibility.objects.filter(
        partnership__in=visible
    ).select_related("partnership", "owner")
    return Attention(
        overdue=list(
            responsibilities.overdue(today).order_by("due_date", "pk")[:limit]
        ),
        stuck=list(
            responsibilities.filter(
                status__in=[
                    Responsibility.Status.BLOCKED,
                    Responsibility.Status.AT_RISK,
                ]
            ).order_by("due_date", "pk")[:limit]
        ),
        proposals=list(
            LearningEntry.objects.filter(
                partnership__in=visible,
                proposal_status=LearningEntry.ProposalStatus.OPEN,
            )
            .select_related("partnership")
            .order_by("created_at")[:limit]
        ),
        health_rounds=list(
            HealthCheckRound.objects.filter(
                partnership__in=visible, closed_at__isnull=True, closes_on__gte=today
            )
            .exclude(responses__respondent=user)
            .select_related("partnership")
            .order_by("closes_on")[:limit]
        ),
        ending=list(
            visible.filter(
                Q(status=Partnership.Status.ACTIVE)
                | Q(status=Partnership.Status.RENEWING),
                end_date__gte=today,
                end_date__lte=today + datetime.timedelta(days=90),
            ).order_by("end_date")[:limit]
        ),
    )


FIGURES = {
    "overdue": overdue_by_organisation,
    "completion": completion,
    "health": health_scores,
}
