"""Figures for the leadership dashboard, across the partnerships a person can
see. Each figure is a few aggregate queries, whatever the data size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Avg, Count, F, Q
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


def _past_due(user, today: datetime.date) -> list[dict]:
    """Open responsibilities past their due date, counted per partnership and
    owner: all of them, and those that fell due in the completion window. One
    grouped query serves both figures."""
    start = today - datetime.timedelta(days=WINDOW_DAYS)
    return list(
        Responsibility.objects.filter(partnership__in=_visible(user))
        .overdue(today)
        .values("partnership_id", "partnership__name", "owner__name")
        .annotate(
            overdue=Count("id"), recent=Count("id", filter=Q(due_date__gte=start))
        )
        .order_by()
    )


def overdue_by_organisation(
    user, today: datetime.date | None = None, past_due: list | None = None
) -> Figure:
    today = today or timezone.localdate()
    if past_due is None:
        past_due = _past_due(user, today)
    by_owner: dict[str, int] = {}
    for row in past_due:
        if row["overdue"]:
            name = row["owner__name"]
            by_owner[name] = by_owner.get(name, 0) + row["overdue"]
    table = [
        [name, n] for name, n in sorted(by_owner.items(), key=lambda i: (-i[1], i[0]))
    ]
    total = sum(row[1] for row in table)
    return Figure(
        "overdue",
        "Overdue responsibilities by organisation",
        ["Organisation", "Overdue"],
        table,
        f"{total} overdue" if total else "Nothing is overdue.",
    )


def completion(
    user, today: datetime.date | None = None, past_due: list | None = None
) -> Figure:
    """Of the responsibilities that fell due in the last 90 days, how many were
    done, per partnership (each occurrence of a recurring one counts once)."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=WINDOW_DAYS)
    if past_due is None:
        past_due = _past_due(user, today)
    done = set(
        ResponsibilityUpdate.objects.filter(
            responsibility__partnership__in=_visible(user),
            status_to=Responsibility.Status.DONE,
            due_date__gte=start,
            due_date__lte=today,
        )
        # Reopened after being done: it counts as open, not done.
        .exclude(
            Q(responsibility__due_date=F("due_date"))
            & Q(responsibility__due_date__lt=today)
            & ~Q(responsibility__status=Responsibility.Status.DONE)
        )
        .values_list(
            "responsibility__partnership_id",
            "responsibility__partnership__name",
            "responsibility_id",
            "due_date",
        )
    )
    counts: dict[tuple, list[int]] = {}
    for partnership_id, name, _pk, _due in done:
        counts.setdefault((partnership_id, name), [0, 0])[0] += 1
    for row in past_due:
        if row["recent"]:
            key = (row["partnership_id"], row["partnership__name"])
            counts.setdefault(key, [0, 0])[1] += row["recent"]
    table = sorted(
        (
            [name, d, d + o, round(100 * d / (d + o), 1)]
            for (_pk, name), (d, o) in counts.items()
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


def figures(user, today: datetime.date) -> list[Figure]:
    """The dashboard's three figures (three queries)."""
    past_due = _past_due(user, today)
    return [
        overdue_by_organisation(user, today, past_due),
        completion(user, today, past_due),
        health_scores(user),
    ]


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


STUCK = [Responsibility.Status.BLOCKED, Responsibility.Status.AT_RISK]


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
    in_view = Responsibility.objects.filter(partnership__in=visible)
    overdue = in_view.overdue(today).order_by("due_date", "pk")[:limit]
    stuck = in_view.filter(status__in=STUCK).order_by("due_date", "pk")[:limit]
    # One query for both lists: each list's first rows, then split again (a
    # row in both sets sorts the same way in each), undated ones where the
    # database puts them.
    undated_last = connection.features.nulls_order_largest
    rows = sorted(
        Responsibility.objects.filter(
            Q(pk__in=overdue.values("pk")) | Q(pk__in=stuck.values("pk"))
        ).select_related("partnership", "owner"),
        key=lambda r: (
            (r.due_date is None) == undated_last,
            r.due_date or today,
            r.pk,
        ),
    )
    return Attention(
        overdue=[
            r
            for r in rows
            if r.due_date < today and r.status != Responsibility.Status.DONE
        ][:limit],
        stuck=[r for r in rows if r.status in STUCK][:limit],
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
