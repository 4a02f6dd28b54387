"""A coordinator is told, in their next steps, about the meetings of the next
two weeks where invitees have not answered, with the way to the roster."""

import datetime

from django.utils import timezone

from meetings import services
from meetings.models import Attendance
from meetings.services.base import _materialise
from partnerships import next_steps


def _steps(user):
    return [s for s in next_steps.for_user(user) if s.kind == "meeting.silent"]


def test_silent_invitees_are_counted_for_the_organiser_only(cast):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    series = services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Weekly huddle",
        kind="shared_review",
        rrule="FREQ=WEEKLY;COUNT=3",
        start_local=datetime.datetime.combine(tomorrow, datetime.time(10, 0)),
        duration_minutes=30,
        tz="America/New_York",
        invitees=[
            (cast.partner, cast.partner.email, "Priya Nair"),
            (cast.housing, cast.housing.email, "Dana Lee"),
            (None, "ana@pantry.example", "Ana Costa"),
        ],
    )
    assert _steps(cast.coordinator) == []  # not published: nobody was asked
    services.series_publish(series=series, by=cast.coordinator)
    now = timezone.now()
    first = services.occurrences(
        series, start=now, end=now + datetime.timedelta(days=8), limit=1
    )[0]
    meeting = _materialise(series, first.original_start)
    [step] = _steps(cast.coordinator)
    assert step.text.startswith("3 people have not answered for Weekly huddle")
    assert step.url == meeting.get_absolute_url() + "#roster"

    # One answers for the whole series, one for this date only.
    partner = series.invitees.get(user=cast.partner)
    services.rsvp_record(invitee=partner, meeting=None, response="accepted")
    ana = series.invitees.get(email="ana@pantry.example")
    services.rsvp_record(invitee=ana, meeting=meeting, response="declined")
    [step] = _steps(cast.coordinator)
    assert step.text.startswith("1 person has not answered")
    assert Attendance.objects.filter(meeting=meeting).exists()

    # Invitees and people outside the partnership are not organisers.
    assert _steps(cast.partner) == []
    assert _steps(cast.outsider) == []
    assert _steps(cast.leader) == []
