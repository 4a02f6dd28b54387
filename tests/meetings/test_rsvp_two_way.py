"""Answers that count everywhere (issue 13, two-way RSVP): an RSVP link answers
for the series or one date, keeps working when the series' time changes, the
next invitation carries each attendee's PARTSTAT, and the organiser reads a
roster per meeting and can remind those who have not answered."""

import datetime

import icalendar
import pytest
import recurring_ical_events
import vobject
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.models import Answer, Attendance, Delivery

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
OCTOBER = datetime.datetime(2026, 10, 13, 14, tzinfo=UTC)  # 10:00 New York
DECEMBER = datetime.datetime(2026, 12, 8, 15, tzinfo=UTC)  # 10:00, winter time


@pytest.fixture
def published(cast, series):
    services.series_publish(series=series, by=cast.coordinator)
    return series


def path(invitee, original=None) -> str:
    return reverse("meetings_rsvp", args=[services.rsvp_token(invitee, original)])


def partstats(calendar_text: str) -> dict:
    """(RECURRENCE-ID or None, address) → PARTSTAT, from an invitation."""
    calendar = icalendar.Calendar.from_ical(calendar_text)
    found = {}
    for event in calendar.walk("VEVENT"):
        rid = event.get("RECURRENCE-ID")
        rid = rid.dt.astimezone(UTC) if rid else None
        attendees = event.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        for attendee in attendees:
            found[rid, str(attendee).removeprefix("mailto:")] = str(
                attendee.params["PARTSTAT"]
            )
    return found


def latest_request(series, email="ana@pantry.example") -> str:
    return (
        Delivery.objects.filter(series=series, email=email, method="REQUEST")
        .order_by("-pk")
        .first()
        .calendar
    )


def test_a_series_link_answers_for_every_date_and_updates_carry_it(
    cast, published, client
):
    ana = published.invitees.get(email="ana@pantry.example")
    page = client.get(path(ana))
    assert "Monthly on the second Tuesday" in page.text
    assert "Or answer for one date" in page.text
    client.post(
        path(ana), {"response": "accepted", "comment": "I'll bring the figures"}
    )
    ana.refresh_from_db()
    assert (ana.response, ana.comment) == ("accepted", "I'll bring the figures")
    assert "Your answer for every date: Coming" in client.get(path(ana)).text

    services.series_update(series=published, by=cast.coordinator, location="Room 5")
    sent = partstats(latest_request(published))
    assert sent[None, "ana@pantry.example"] == "ACCEPTED"
    assert sent[None, cast.partner.email] == "NEEDS-ACTION"
    # An independent parser reads the same answer.
    parsed = vobject.readOne(latest_request(published))
    [ana_line] = [a for a in parsed.vevent.attendee_list if "ana@" in a.value]
    assert ana_line.params["PARTSTAT"] == ["ACCEPTED"]


def test_a_date_link_answers_for_that_date_alone(cast, published, client):
    ana = published.invitees.get(email="ana@pantry.example")
    client.post(path(ana), {"response": "accepted"})
    client.post(path(ana, DECEMBER), {"response": "declined", "scope": "date"})
    ana.refresh_from_db()
    assert ana.response == "accepted"
    meeting = published.meetings.get(original_start=DECEMBER)
    assert Attendance.objects.get(invitee=ana, meeting=meeting).response == "declined"

    services.series_update(series=published, by=cast.coordinator, location="Room 5")
    text = latest_request(published)
    sent = partstats(text)
    assert sent[None, "ana@pantry.example"] == "ACCEPTED"
    assert sent[DECEMBER, "ana@pantry.example"] == "DECLINED"
    assert sent[DECEMBER, cast.partner.email] == "NEEDS-ACTION"
    # The date's own event changes nobody's calendar: still eight meetings, at
    # the same times.
    dates = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(
        datetime.datetime(2026, 1, 1), datetime.datetime(2028, 1, 1)
    )
    assert len(dates) == 8
    assert DECEMBER in {e["DTSTART"].dt.astimezone(UTC) for e in dates}


def test_a_date_link_can_answer_for_the_whole_series(published, client):
    ana = published.invitees.get(email="ana@pantry.example")
    client.post(path(ana, DECEMBER), {"response": "declined"})
    client.post(path(ana, OCTOBER), {"response": "tentative", "scope": "series"})
    ana.refresh_from_db()
    assert ana.response == "tentative"
    december = published.meetings.get(original_start=DECEMBER)
    # "Every date" replaces what was said for single dates still to come.
    assert services.answers(december, [ana])[ana.pk][0] == "tentative"


def test_an_old_link_answers_after_the_series_time_changes(cast, published, client):
    ana = published.invitees.get(email="ana@pantry.example")
    old = path(ana, DECEMBER)
    services.series_update(
        series=published,
        by=cast.coordinator,
        start_local=datetime.datetime(2026, 10, 13, 14, 30),
    )
    page = client.get(old)
    assert page.status_code == 200
    assert "Tuesday 8 December 2026, 14:30 (New York time)" in page.text
    client.post(old, {"response": "declined"})
    moved = datetime.datetime(2026, 12, 8, 19, 30, tzinfo=UTC)
    attendance = Attendance.objects.get(invitee=ana)
    assert attendance.meeting.original_start == moved
    services.series_update(series=published, by=cast.coordinator, location="Room 5")
    assert partstats(latest_request(published))[moved, "ana@pantry.example"] == (
        "DECLINED"
    )


def test_a_link_for_a_date_the_series_dropped_answers_for_the_series(
    cast, published, client
):
    ana = published.invitees.get(email="ana@pantry.example")
    old = path(ana, DECEMBER)
    services.series_update(
        series=published, by=cast.coordinator, rrule="FREQ=MONTHLY;BYDAY=3TH;COUNT=8"
    )
    page = client.get(old)
    assert page.status_code == 200
    assert "no longer part of the series" in page.text
    client.post(old, {"response": "accepted"})
    ana.refresh_from_db()
    assert ana.response == "accepted"


def test_a_made_up_answer_is_explained_and_changes_nothing(published, client):
    ana = published.invitees.get(email="ana@pantry.example")
    for answer in ("maybe-later", "needs-action", ""):
        response = client.post(path(ana), {"response": answer})
        assert response.status_code == 200
        assert "Answer accept, tentative or decline." in response.text
    ana.refresh_from_db()
    assert ana.response == Answer.NEEDS_ACTION
    assert not Attendance.objects.exists()


def test_a_cancelled_date_takes_no_answer(cast, published, client):
    ana = published.invitees.get(email="ana@pantry.example")
    meeting = services.occurrence_for(published, "20261208T150000Z")
    services.meeting_cancel(meeting=meeting, by=cast.coordinator)
    page = client.get(path(ana, DECEMBER))
    assert "This meeting is cancelled" in page.text
    client.post(path(ana, DECEMBER), {"response": "accepted", "scope": "date"})
    assert not Attendance.objects.filter(response="accepted").exists()


def test_the_meeting_page_shows_who_is_coming(
    cast, published, client_for, django_assert_max_num_queries
):
    ana = published.invitees.get(email="ana@pantry.example")
    priya = published.invitees.get(user=cast.partner)
    services.rsvp_record(invitee=ana, meeting=None, response="accepted")
    meeting = services.occurrence_for(published, "20261208T150000Z")
    services.rsvp_record(
        invitee=ana, meeting=meeting, response="declined", comment="On leave"
    )
    client = client_for(cast.coordinator)
    url = reverse("meetings:meeting", args=[meeting.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        services.invitee_add(
            series=published, by=cast.coordinator, email=f"guest{n}@example.net"
        )
    services.rsvp_record(
        invitee=published.invitees.get(email="guest0@example.net"),
        meeting=None,
        response="tentative",
    )
    with django_assert_max_num_queries(len(few)):  # the same with 8 more invitees
        page = client.get(url)
    roster = {
        answer: [invitee.email for invitee, _ in people]
        for answer, _, people in page.context["roster"]
    }
    assert roster["declined"] == ["ana@pantry.example"]
    assert roster["tentative"] == ["guest0@example.net"]
    assert priya.email in roster["needs-action"]
    assert len(roster["needs-action"]) == 8
    assert "Not coming (1)" in page.text
    assert "On leave" in page.text
    assert "Remind those who have not answered" in page.text
    # A partner sees the roster but has no reminder button.
    assert "Remind those" not in client_for(cast.partner).get(url).text


def test_a_reminder_goes_only_to_those_who_have_not_answered(
    cast, published, client_for, smtp, django_capture_on_commit_callbacks
):
    ana = published.invitees.get(email="ana@pantry.example")
    services.rsvp_record(invitee=ana, meeting=None, response="accepted")
    meeting = services.occurrence_for(published, "20261208T150000Z")
    url = reverse("meetings:remind", args=[meeting.pk])
    assert client_for(cast.partner).post(url).status_code in (302, 403, 404)
    assert smtp.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.coordinator).post(url, follow=True)
    assert "Reminder sent to 1 person who had not answered." in response.text, [
        str(m) for m in response.context["messages"]
    ]
    [message] = smtp.messages
    assert message["To"] == cast.partner.email
    assert "Will you come?" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = next(
        line.split(": ", 1)[1] for line in body.splitlines() if "this date" in line
    )
    answered = client_for(cast.partner).get(link.removeprefix("http://testserver"))
    assert "Tuesday 8 December 2026, 10:00 (New York time)" in answered.text
    assert meeting.events.filter(action="remind").count() == 1


def test_a_second_reminder_within_a_day_is_refused_and_sends_nothing(
    cast, published, smtp, django_capture_on_commit_callbacks
):
    meeting = services.occurrence_for(published, "20261208T150000Z")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.rsvp_remind(meeting=meeting, by=cast.coordinator) == 2
    assert len(smtp.messages) == 2
    with pytest.raises(ValidationError, match="reminded less than a day ago"):
        services.rsvp_remind(meeting=meeting, by=cast.coordinator)
    assert len(smtp.messages) == 2
    assert meeting.events.filter(action="remind").count() == 1


def test_next_steps_know_an_answer_given_for_the_series(cast, client_for):
    from partnerships import next_steps

    start = datetime.datetime.now() + datetime.timedelta(days=3)
    series = services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Weekly huddle",
        kind="shared_review",
        rrule="FREQ=WEEKLY;COUNT=4",
        start_local=start.replace(hour=10, minute=0, second=0, microsecond=0),
        duration_minutes=30,
        tz="America/New_York",
        invitees=[(cast.partner, cast.partner.email, "Priya Nair")],
    )
    services.series_publish(series=series, by=cast.coordinator)
    priya = series.invitees.get(user=cast.partner)
    services.rsvp_record(invitee=priya, meeting=None, response="accepted")
    [step] = [
        s for s in next_steps.for_user(cast.partner) if s.kind == "meeting.upcoming"
    ]
    assert "you said: coming" in step.text
