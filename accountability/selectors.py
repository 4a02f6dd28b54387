"""Reads of shared accountability that are not one view's own."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partnerships import permissions
from partnerships.models import Partnership
from partnerships.next_steps import PER_APP, NextStep

from .models import HealthCheckRound, LearningEntry, Responsibility

# Responsibilities show up as a next step this many days before they are due.
DUE_SOON_DAYS = 7


def next_steps(user) -> list[NextStep]:
    """Responsibilities due or overdue for the person or an organisation they
    act for; proposals waiting for a coordinator's decision; health checks the
    person has not answered yet. Four queries, plus the policy's own."""
    today = timezone.localdate()
    working = permissions.visible_partnerships(user).exclude(
        status=Partnership.Status.CLOSED
    )
    acting = permissions.editing_org_ids_of(user)
    steps = []
    due = (
        Responsibility.objects.open()
        .filter(
            partnership__in=working,
            due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .filter(Q(owner_id__in=acting) | Q(owner_person=user))
        .select_related("partnership")
        .order_by("due_date", "pk")[:PER_APP]
    )
    for responsibility in due:
        late = responsibility.due_date < today
        when = f"{responsibility.due_date:%-d %b}"
        steps.append(
            NextStep(
                "responsibility.due",
                f"“{responsibility.title}” "
                + (f"was due {when}" if late else f"is due {when}")
                + f" ({responsibility.partnership.name})",
                responsibility.get_absolute_url(),
                due=responsibility.due_date,
                urgent=late,
            )
        )
    proposals = (
        LearningEntry.objects.filter(
            partnership__in=working, proposal_status=LearningEntry.ProposalStatus.OPEN
        )
        .select_related("partnership")
        .order_by("created_at", "pk")[:PER_APP]
    )
    for entry in proposals:
        if permissions.can_coordinate(user, entry.partnership):
            steps.append(
                NextStep(
                    "learning.decide",
                    f"Decide the proposal in “{entry.title}” "
                    f"({entry.partnership.name})",
                    entry.get_absolute_url(),
                )
            )
    if acting:
        rounds = (
            HealthCheckRound.objects.filter(
                partnership__in=working.filter(participations__organisation__in=acting),
                closed_at__isnull=True,
                closes_on__gte=today,
            )
            .exclude(responses__respondent=user)
            .select_related("partnership")
            .distinct()
            .order_by("closes_on", "pk")[:PER_APP]
        )
        for health_round in rounds:
            steps.append(
                NextStep(
                    "health.answer",
                    f"Answer “{health_round.title}” ({health_round.partnership.name}) "
                    f"by {health_round.closes_on:%-d %b}",
                    reverse(
                        "accountability:health_respond",
                        args=[health_round.partnership_id, health_round.pk],
                    ),
                    due=health_round.closes_on,
                )
            )
    return steps
