"""Reads of meetings that are not one view's own."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from partnerships import permissions
from partnerships.models import PartnershipRole
from partnerships.next_steps import PER_APP, NextStep

from .models import Attendance, Invitee, Meeting, MeetingSeries
from .services import occurrences
from .templatetags.meeting_time import when

# Meetings show up as a next step this many days ahead.
SOON_DAYS = 14


def next_steps(user) -> list[NextStep]:
    """The next date, within two weeks, of each series the person is invited
    to, with their answer so far; "answer" when they have not. Three queries
    whatever the number of series; dates come from the rule in memory."""
    now = timezone.now()
    until = now + datetime.timedelta(days=SOON_DAYS)
    invitations = list(
        Invitee.objects.filter(
            user=user,
            removed_at__isnull=True,
            series__published=True,
            series__cancelled_at__isnull=True,
            series__partnership__in=permissions.visible_partnerships(user),
        )
        .select_related("series")
        .prefetch_related(
            Prefetch(
                "series__meetings",
                queryset=Meeting.objects.filter(start__lt=until, end__gt=now),
            )
        )
        .order_by("series_id")[:PER_APP]
    )
    upcoming = []
    for invitee in invitations:
        series: MeetingSeries = invitee.series
        dates = occurrences(
            series,
            start=now,
            end=until,
            limit=1,
            meetings=list(series.meetings.all()),
        )
        dates = [date for date in dates if not date.cancelled]
        if dates:
            upcoming.append((invitee, dates[0]))
    answers = dict(
        Attendance.objects.filter(
            invitee__in=[invitee for invitee, _ in upcoming],
            meeting__in=[date.meeting for _, date in upcoming if date.meeting],
        ).values_list("meeting_id", "response")
    )
    steps = []
    for invitee, date in upcoming:
        series = invitee.series
        # Their answer for this date, else their answer for the whole series.
        answer = answers.get(date.meeting.pk) if date.meeting else None
        if not answer or answer == Attendance.Response.NEEDS_ACTION:
            answer = invitee.response
        label = dict(Attendance.Response.choices).get(answer, "")
        said = (
            f" — you said: {label.lower()}"
            if answer and answer != Attendance.Response.NEEDS_ACTION
            else " — let the organiser know if you are coming"
        )
        steps.append(
            NextStep(
                "meeting.upcoming",
                f"{series.title}: {when(date.start, series.timezone)}{said}",
                (date.meeting or series).get_absolute_url(),
                due=timezone.localtime(date.start).date(),
            )
        )
    return steps


def people_with_roles(partnership) -> list[int]:
    """The active people who hold a role in the partnership (coordinators,
    contacts, signatories): whom a new review series invites unless the
    coordinator unticks them. One query."""
    return list(
        PartnershipRole.objects.filter(
            participation__partnership=partnership, user__is_active=True
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
