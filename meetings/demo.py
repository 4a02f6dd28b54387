"""The demo partnership's meetings: a monthly review with two meetings held and
a quarterly strategic review still ahead. Called by `manage.py load_demo_data`."""

import datetime

from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import MeetingSeries
from partnerships.demo import Demo


def load(*, demo: Demo) -> None:
    eastside = demo.eastside
    orgs = demo.organisations
    people = demo.people
    today = demo.today
    if eastside.meeting_series.exists():
        return
    coordinator = people["coordinator"]
    members = [
        (people[name], people[name].email, people[name].get_full_name())
        for name in ("coordinator", "partner", "housing")
    ]
    # Started three months ago, so two reviews are already behind us.
    first = (today.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
    monthly = meeting_services.series_create(
        partnership=eastside,
        by=coordinator,
        title="Monthly shared-participant review",
        kind=MeetingSeries.Kind.SHARED_REVIEW,
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        start_local=datetime.datetime.combine(first, datetime.time(10, 0)),
        duration_minutes=60,
        tz=eastside.timezone,
        location="Northside Family Services, meeting room 2",
        video_url="https://video.example.org/eastside-review",
        agenda_template="Families we share: updates\nReferrals waiting\nAnything else",
        invitees=[
            *members,
            (None, "ana.costa@pantry.example", "Ana Costa (Westside Pantry)"),
        ],
    )
    meeting_services.series_publish(series=monthly, by=coordinator)
    now = timezone.now()
    past = meeting_services.occurrences(
        monthly, start=now - datetime.timedelta(days=120), end=now
    )[-2:]
    for index, occurrence in enumerate(past):
        meeting = meeting_services.occurrence_for(monthly, occurrence.key)
        meeting_services.meeting_hold(meeting=meeting, by=coordinator)
        meeting_services.attendance_mark(
            meeting=meeting,
            by=coordinator,
            present=set(monthly.invitees.values_list("pk", flat=True)),
        )
        for item in meeting.agenda.all():
            meeting_services.minutes_record(
                item=item, by=coordinator, minutes="Discussed; see actions."
            )
        meeting_services.decision_record(
            meeting=meeting,
            by=coordinator,
            text="Warm hand-offs for every housing referral."
            if index == 0
            else "Review the housing waiting list weekly.",
        )
        meeting_services.action_record(
            meeting=meeting,
            by=coordinator,
            text="Share the waiting list with partners every Monday"
            if index == 0
            else "Draft a joint intake form",
            owner=orgs["Riverside Health Clinic"]
            if index == 0
            else orgs["Eastside Housing Coalition"],
            due_date=today + datetime.timedelta(days=14 * (index + 1)),
        )
        meeting_services.meeting_close(
            meeting=meeting, by=coordinator, summary="Good attendance."
        )
    quarterly = meeting_services.series_create(
        partnership=eastside,
        by=coordinator,
        title="Quarterly strategic review",
        kind=MeetingSeries.Kind.STRATEGIC,
        rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE",
        start_local=datetime.datetime.combine(
            today + datetime.timedelta(days=20), datetime.time(14, 0)
        ),
        duration_minutes=90,
        tz=eastside.timezone,
        location="Riverside Health Clinic, board room",
        invitees=[
            *members,
            (
                people["leader"],
                people["leader"].email,
                people["leader"].get_full_name(),
            ),
        ],
    )
    meeting_services.series_publish(series=quarterly, by=coordinator)
