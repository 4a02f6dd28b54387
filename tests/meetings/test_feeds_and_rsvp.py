import datetime

import icalendar
import pytest
import vobject
from django.urls import reverse

from accountability.models import Responsibility
from meetings import services
from meetings.models import Attendance, FeedToken

from ..factories import member

pytestmark = pytest.mark.django_db


def test_a_personal_feed_lists_my_meetings_without_method(cast, series, client):
    services.series_publish(series=series, by=cast.coordinator)
    token = FeedToken.issue(user=cast.partner)
    response = client.get(reverse("meetings_feed", args=[token]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert "METHOD" not in calendar
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert {str(e["UID"]) for e in calendar.walk("VEVENT")} == {series.uid}
    second = vobject.readOne(response.content.decode())  # an independent parser
    assert second.vevent.uid.value == series.uid
    again = client.get(
        reverse("meetings_feed", args=[token]), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
    services.series_update(series=series, by=cast.coordinator, location="Elsewhere")
    changed = client.get(
        reverse("meetings_feed", args=[token]), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert changed.status_code == 200


def test_feeds_never_show_other_peoples_meetings(cast, series, client):
    services.series_publish(series=series, by=cast.coordinator)
    token = FeedToken.issue(user=cast.outsider)
    response = client.get(reverse("meetings_feed", args=[token]))
    assert series.uid.encode() not in response.content
    # A partnership feed of a partnership the user cannot see is refused.
    stranger = member("newcomer", cast.lakeshore_org)
    token = FeedToken.issue(user=stranger, partnership=cast.eastside)
    response = client.get(reverse("meetings_feed", args=[token]))
    assert series.uid.encode() not in response.content


def test_a_rotated_or_wrong_token_is_a_bare_404(cast, series, client):
    old = FeedToken.issue(user=cast.partner)
    new = FeedToken.issue(user=cast.partner)
    assert client.get(reverse("meetings_feed", args=[new])).status_code == 200
    for token in [old, "nonsense", new[:-2]]:
        response = client.get(reverse("meetings_feed", args=[token]))
        assert response.status_code == 404
        assert b"Monthly" not in response.content
    assert FeedToken.objects.get().token_hash != new  # only the hash is stored


def test_the_rsvp_link_records_an_answer_without_logging_in(cast, series, client):
    invitee = series.invitees.get(email="ana@pantry.example")
    links = services.rsvp_links(series, invitee)
    path = links["url"].removeprefix("http://testserver")
    page = client.get(path)
    assert "Ana Costa" in page.text
    client.post(path, {"response": "accepted"})
    attendance = Attendance.objects.get(invitee=invitee)
    assert attendance.response == "accepted"
    assert client.get(path[:-5] + "xxxx/").status_code == 404


def test_an_action_lands_in_the_tracker_and_unfinished_items_carry_over(
    cast, series, client_for
):
    occurrence = services.occurrences(
        series,
        start=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC),
        end=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )[0]
    meeting = services.occurrence_for(series, occurrence.key)
    services.agenda_item_add(meeting=meeting, by=cast.partner, title="Waiting list")
    services.agenda_item_add(meeting=meeting, by=cast.partner, title="Staffing")
    services.meeting_hold(meeting=meeting, by=cast.partner)
    first, second = meeting.agenda.all()
    services.minutes_record(item=first, by=cast.partner, minutes="Shorter now.")
    services.minutes_record(item=second, by=cast.partner, minutes="", done=False)
    client = client_for(cast.partner)
    client.post(
        reverse("meetings:action_add", args=[meeting.pk]),
        {
            "text": "Share the waiting list weekly",
            "owner": cast.riverside.pk,
            "due_date": "2026-11-01",
        },
    )
    responsibility = Responsibility.objects.get(source="meeting_action")
    assert responsibility.owner == cast.riverside
    assert responsibility.source_object.meeting == meeting
    services.meeting_close(meeting=meeting, by=cast.partner, summary="Good meeting")
    following = series.meetings.exclude(pk=meeting.pk).get()
    assert [i.title for i in following.agenda.all()] == ["Staffing"]


def test_an_agenda_longer_than_the_meeting_is_warned(cast, series, client_for):
    meeting = services.occurrence_for(series, "20261013T140000Z")
    client = client_for(cast.partner)
    client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]),
        {"title": "Everything", "minutes_allotted": 50},
    )
    response = client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]),
        {"title": "And more", "minutes_allotted": 20},
        follow=True,
    )
    assert "needs 70 minutes but the meeting lasts 60" in response.text
    assert meeting.agenda.count() == 2


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"preset": "custom", "frequency": "MONTHLY", "interval": "0"},
            "The interval must be 1 or more",
        ),
        (
            {"preset": "custom", "frequency": "MONTHLY", "until": "2026-01-01"},
            "The end date is before the first meeting",
        ),
        ({"timezone": "Mars/Olympus"}, "Select a valid choice"),
        ({"external": "ana@"}, "is not an e-mail address"),
        ({"start_date": "2026-13-40"}, "Enter the first date as YYYY-MM-DD"),
    ],
)
def test_bad_series_input_is_explained_and_nothing_is_saved_or_sent(
    cast, client_for, smtp, change, message
):
    data = {
        "title": "Review",
        "kind": "shared_review",
        "preset": "monthly_review",
        "start_date": "2026-10-13",
        "start_time": "10:00",
        "duration_minutes": "60",
        "timezone": "America/New_York",
        **change,
    }
    response = client_for(cast.coordinator).post(
        reverse("meetings:series_add", args=[cast.eastside.pk]), data
    )
    assert response.status_code == 200
    assert message in response.text
    assert not cast.eastside.meeting_series.exists()
    assert smtp.messages == []


def test_a_coordinator_creates_a_series_through_the_form(cast, client_for):
    response = client_for(cast.coordinator).post(
        reverse("meetings:series_add", args=[cast.eastside.pk]),
        {
            "title": "Quarterly strategy",
            "kind": "strategic",
            "preset": "custom",
            "frequency": "MONTHLY",
            "interval": "3",
            "weekday": "WE",
            "nth": "1",
            "count": "4",
            "start_date": "2027-01-06",
            "start_time": "14:00",
            "duration_minutes": "90",
            "timezone": "America/Chicago",
            "members": [cast.partner.pk],
            "external": "Ana Costa <ana@pantry.example>",
        },
    )
    series = cast.eastside.meeting_series.get()
    assert response["Location"] == series.get_absolute_url()
    assert series.rrule == "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE;COUNT=4"
    assert set(series.invitees.values_list("email", flat=True)) == {
        cast.partner.email,
        "ana@pantry.example",
    }
    assert not series.published
