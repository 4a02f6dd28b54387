"""Every meeting time on screen and in mail is on the partnership's clock and
says so (issue 13); a person who chose another zone also sees their own."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from meetings import services

pytestmark = pytest.mark.django_db
OCTOBER = "20261013T140000Z"  # Tuesday 13 October 2026, 10:00 in New York
TEN = "Tuesday 13 October 2026, 10:00 (New York time)"


def visible_text(response) -> str:
    return " ".join(response.text.split())


@pytest.fixture
def meeting(series):
    return services.occurrence_for(series, OCTOBER)


def test_the_meeting_page_shows_the_partnerships_clock(cast, meeting, client_for):
    page = visible_text(client_for(cast.partner).get(meeting.get_absolute_url()))
    assert TEN in page
    assert "14:00" not in page and "America/New_York" not in page


def test_the_lists_show_the_partnerships_clock_not_utc(cast, client_for):
    series = services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Open-ended review",
        kind="shared_review",
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        start_local=datetime.datetime(2026, 10, 13, 10, 0),
        duration_minutes=60,
        tz="America/New_York",
    )
    now = timezone.now()
    [upcoming] = services.occurrences(
        series, start=now, end=now + datetime.timedelta(days=40), limit=1
    )
    local = upcoming.start.astimezone(series.zone)
    expected = f"{local:%a %-d %b %Y}, 10:00 (New York time)"
    client = client_for(cast.partner)
    for url in (
        reverse("meetings:index", args=[cast.eastside.pk]),
        series.get_absolute_url(),
    ):
        page = visible_text(client.get(url))
        assert expected in page, url
        assert " UTC" not in page, url


def test_someone_in_another_zone_also_sees_their_own_clock(cast, meeting, client_for):
    profile = UserProfile.get_for_user(cast.partner)
    profile.current_time_zone = "Europe/London"
    profile.save()
    page = visible_text(client_for(cast.partner).get(meeting.get_absolute_url()))
    assert f"{TEN}, 15:00 your time (London time)" in page


def test_the_rsvp_page_shows_the_partnerships_clock(series, meeting, client):
    invitee = series.invitees.get(email="ana@pantry.example")
    token = services.rsvp_token(invitee, meeting.original_start)
    page = visible_text(client.get(reverse("meetings_rsvp", args=[token])))
    assert TEN in page and " UTC" not in page


def test_a_late_evening_cancellation_names_the_local_date(
    cast, series, mailoutbox, django_capture_on_commit_callbacks
):
    services.series_publish(series=series, by=cast.coordinator)
    meeting = services.occurrence_for(series, OCTOBER)
    services.meeting_move(
        meeting=meeting,
        by=cast.coordinator,
        start_local=datetime.datetime(2026, 10, 13, 21, 30),  # 01:30 UTC next day
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, by=cast.coordinator)
    message = mailoutbox[0]
    assert message.subject.endswith("on 13 October 2026")
    assert "Tuesday 13 October 2026, 21:30 (New York time)" in message.body
