"""Reads of meetings that are not one view's own."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from partnerships import permissions
from partnerships.models import Partnership, PartnershipRole
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


def organiser_steps(user) -> list[NextStep]:
    """For coordinators: the meetings of the next two weeks in partnerships they
    coordinate where invitees have not answered yet, each leading to the
    meeting's roster (where they can be reminded). Four queries at most."""
    acting = permissions.editing_org_ids_of(user)
    if not acting:
        return []
    coordinated = set(
        PartnershipRole.objects.filter(
            user=user,
            role=PartnershipRole.Role.COORDINATOR,
            participation__organisation_id__in=acting,
        )
        .exclude(participation__partnership__status=Partnership.Status.CLOSED)
        .values_list("participation__partnership_id", flat=True)
    )
    if not coordinated:
        return []
    now = timezone.now()
    meetings = list(
        Meeting.objects.filter(
            series__partnership_id__in=coordinated,
            series__published=True,
            series__cancelled_at__isnull=True,
            start__gte=now,
            start__lt=now + datetime.timedelta(days=SOON_DAYS),
        )
        .exclude(state=Meeting.State.CANCELLED)
        .select_related("series")
        .order_by("start", "pk")[:PER_APP]
    )
    if not meetings:
        return []
    invitees = list(
        Invitee.objects.filter(
            series__in={meeting.series_id for meeting in meetings},
            removed_at__isnull=True,
        ).values_list("pk", "series_id", "response")
    )
    answered = set(
        Attendance.objects.filter(meeting__in=meetings)
        .exclude(response=Attendance.Response.NEEDS_ACTION)
        .values_list("meeting_id", "invitee_id")
    )
    steps = []
    for meeting in meetings:
        silent = sum(
            1
            for pk, series_id, response in invitees
            if series_id == meeting.series_id
            and response == Attendance.Response.NEEDS_ACTION
            and (meeting.pk, pk) not in answered
        )
        if silent:
            series = meeting.series
            steps.append(
                NextStep(
                    "meeting.silent",
                    f"{silent} {'person has' if silent == 1 else 'people have'} not "
                    f"answered for {series.title}, "
                    f"{when(meeting.start, series.timezone, 'D j M, H:i')} — "
                    "remind them",
                    meeting.get_absolute_url() + "#roster",
                    due=timezone.localtime(meeting.start).date(),
                )
            )
    return steps
