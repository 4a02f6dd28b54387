"""Calling off a whole series (issue 13): one cancellation to every invitee for
all its dates, out of every feed, recorded once, and refused a second time."""

import datetime

import icalendar
import pytest
import vobject
from django.urls import reverse
from wagtail.models import ModelLogEntry

from meetings import services
from meetings.models import FeedToken, MeetingEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(cast, series, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.series_publish(series=series, by=cast.coordinator)
    return series


def test_a_coordinator_cancels_the_whole_series_and_invitees_are_told(
    cast, published, client_for, smtp, django_capture_on_commit_callbacks
):
    personal = reverse("meetings_feed", args=[FeedToken.issue(user=cast.partner)])
    shared = reverse(
        "meetings_feed",
        args=[FeedToken.issue(user=cast.partner, partnership=cast.eastside)],
    )
    client = client_for(cast.partner)
    assert published.uid.encode() in client.get(personal).content
    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.coordinator).post(
            reverse("meetings:series_cancel", args=[published.pk]),
            {"notify": "on"},
            follow=True,
        )
    assert "Series cancelled; 2 cancellations sent." in response.text
    assert "none of its meetings will take place" in response.text

    assert sorted(m.envelope_to[0] for m in smtp.messages) == [
        "ana@pantry.example",
        "partner@example.org",
    ]
    for message in smtp.messages:
        [part] = [
            p
            for p in message.walk()
            if p.get_content_type() == "text/calendar" and not p.get_filename()
        ]
        data = part.get_payload(decode=True)
        calendar = icalendar.Calendar.from_ical(data)
        assert calendar["METHOD"] == "CANCEL"
        [event] = calendar.walk("VEVENT")
        assert (str(event["UID"]), event["STATUS"]) == (published.uid, "CANCELLED")
        assert "RECURRENCE-ID" not in event and "RRULE" in event
        assert vobject.readOne(data.decode()).vevent.status.value == "CANCELLED"

    for feed in (personal, shared):
        assert published.uid.encode() not in client.get(feed).content
    now = datetime.datetime.now(datetime.UTC)
    published.refresh_from_db()
    assert (
        services.occurrences(
            published, start=now, end=now + datetime.timedelta(days=400)
        )
        == []
    )
    [event] = MeetingEvent.objects.filter(action="cancel_series")
    assert (event.from_state, event.to_state, event.user) == (
        "published",
        "cancelled",
        cast.coordinator,
    )
    assert ModelLogEntry.objects.filter(action="meetings.cancel_series").count() == 1


def test_a_cancelled_series_cannot_be_cancelled_again_or_changed(
    cast, published, smtp, django_capture_on_commit_callbacks
):
    services.series_cancel(series=published, by=cast.coordinator)
    published.refresh_from_db()
    sequence = published.sequence
    smtp.messages.clear()
    refusals = [
        lambda: services.series_cancel(series=published, by=cast.coordinator),
        lambda: services.series_update(
            series=published, by=cast.coordinator, location="Room 9"
        ),
        lambda: services.meeting_move(
            meeting=services.occurrence_for(published, "20261013T140000Z"),
            by=cast.coordinator,
            start_local=datetime.datetime(2026, 10, 14, 9),
        ),
    ]
    for refused in refusals:
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(Exception, match="This series is cancelled"),
        ):
            refused()
    published.refresh_from_db()
    assert published.sequence == sequence
    assert published.location == "Northside, room 2"
    assert MeetingEvent.objects.filter(action="cancel_series").count() == 1
    assert smtp.messages == []


def test_a_draft_series_can_be_cancelled_and_then_never_sent(
    cast, series, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.series_cancel(series=series, by=cast.coordinator) == 0
    with pytest.raises(Exception, match="This series is cancelled"):
        services.series_publish(series=series, by=cast.coordinator)
    assert smtp.messages == []


@pytest.mark.parametrize("who", ["partner", "leader", "outsider"])
def test_only_a_coordinator_cancels_a_series(cast, published, client_for, who):
    response = client_for(getattr(cast, who)).post(
        reverse("meetings:series_cancel", args=[published.pk]), {"notify": "on"}
    )
    assert response.status_code in (302, 403, 404)  # refused, however it is said
    published.refresh_from_db()
    assert published.cancelled_at is None
    assert not MeetingEvent.objects.filter(action="cancel_series").exists()
