"""What partners' calendar programs receive (issue 13): the emitted bytes, read
back by icalendar, vobject and recurring-ical-events."""

import datetime

import icalendar
import pytest
import recurring_ical_events
import vobject
from django.urls import reverse

from meetings import ical, services
from meetings.models import MeetingSeries

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
YEAR = (
    datetime.datetime(2026, 9, 1, tzinfo=UTC),
    datetime.datetime(2028, 1, 1, tzinfo=UTC),
)


def series_bytes(series) -> bytes:
    series.refresh_from_db()
    return ical.to_bytes(services.series_calendar(series))


def app_starts(series) -> list[datetime.datetime]:
    return [
        o.start
        for o in services.occurrences(series, start=YEAR[0], end=YEAR[1])
        if not o.cancelled
    ]


def client_starts(data: bytes) -> list[datetime.datetime]:
    """The dates a calendar program shows, by two independent expanders."""
    calendar = icalendar.Calendar.from_ical(data)
    expanded = sorted(
        e["DTSTART"].dt.astimezone(UTC)
        for e in recurring_ical_events.of(calendar).between(*YEAR)
        if str(e.get("STATUS", "")).upper() != "CANCELLED"
    )
    parsed = vobject.readOne(data.decode())
    master = next(e for e in parsed.vevent_list if hasattr(e, "rrule"))
    rruleset = master.getrruleset(addRDate=True)
    moved = {
        e.recurrence_id.value.astimezone(UTC): e
        for e in parsed.vevent_list
        if hasattr(e, "recurrence_id")
    }
    by_vobject = sorted(
        (
            moved[s.astimezone(UTC)].dtstart.value.astimezone(UTC)
            if s.astimezone(UTC) in moved
            else s.astimezone(UTC)
        )
        for s in rruleset
        if YEAR[0] <= s.astimezone(UTC) < YEAR[1]
    )
    assert expanded == by_vobject
    return expanded


FORM = {
    "title": "Monthly review",
    "kind": "shared_review",
    "preset": "monthly_review",  # the second Tuesday
    "start_date": "2026-12-03",  # a Thursday
    "start_time": "10:00",
    "duration_minutes": "60",
    "timezone": "America/New_York",
}


def test_a_series_starts_on_the_first_date_its_rule_gives(cast, client_for):
    client_for(cast.coordinator).post(
        reverse("meetings:series_add", args=[cast.eastside.pk]),
        {**FORM, "count": "3"},
    )
    series = cast.eastside.meeting_series.get()
    data = series_bytes(series)
    assert b"DTSTART;TZID=America/New_York:20261208T100000" in data
    # Three meetings, on the dates the workspace shows: not Thursday 3 December.
    assert (
        client_starts(data)
        == app_starts(series)
        == [
            datetime.datetime(2026, 12, 8, 15, tzinfo=UTC),
            datetime.datetime(2027, 1, 12, 15, tzinfo=UTC),
            datetime.datetime(2027, 2, 9, 15, tzinfo=UTC),
        ]
    )


def test_a_stored_start_off_the_rule_is_not_sent_as_a_meeting(series):
    # A row saved before the start was moved onto the rule: Thursday 15 October.
    MeetingSeries.objects.filter(pk=series.pk).update(
        start=datetime.datetime(2026, 10, 15, 14, tzinfo=UTC)
    )
    data = series_bytes(series)
    assert b"DTSTART;TZID=America/New_York:20261110T100000" in data
    assert client_starts(data) == app_starts(series)


def test_a_new_rule_moves_the_start_onto_its_first_date(cast, series):
    services.series_update(
        series=series, by=cast.coordinator, rrule="FREQ=MONTHLY;BYDAY=3TH;COUNT=4"
    )
    series.refresh_from_db()
    assert series.local_start == datetime.datetime(2026, 10, 15, 10)
    assert client_starts(series_bytes(series)) == app_starts(series)


def test_the_end_of_a_series_is_sent_in_utc(cast, client_for):
    client_for(cast.coordinator).post(
        reverse("meetings:series_add", args=[cast.eastside.pk]),
        {**FORM, "start_date": "2027-01-12", "until": "2027-06-30"},
    )
    series = cast.eastside.meeting_series.get()
    data = series_bytes(series)
    # 23:59:59 on 30 June in New York is 03:59:59 on 1 July in UTC.
    assert b"UNTIL=20270701T035959Z" in data
    rule = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["RRULE"]
    assert rule["UNTIL"][0] == datetime.datetime(2027, 7, 1, 3, 59, 59, tzinfo=UTC)
    starts = client_starts(data)
    assert starts == app_starts(series)
    assert starts[-1] == datetime.datetime(2027, 6, 8, 14, tzinfo=UTC)
    assert len(starts) == 6


def test_a_new_time_for_the_series_takes_its_moved_and_cancelled_dates_along(
    cast, changed
):
    services.series_update(
        series=changed,
        by=cast.coordinator,
        start_local=datetime.datetime(2026, 10, 13, 14, 30),
    )
    data = series_bytes(changed)
    assert b"RECURRENCE-ID;TZID=America/New_York:20261208T143000" in data
    assert b"EXDATE;TZID=America/New_York:20270112T143000" in data
    starts = client_starts(data)
    assert starts == app_starts(changed)
    assert len(starts) == 7
    assert datetime.datetime(2026, 12, 9, 19, tzinfo=UTC) in starts  # stays moved
    assert datetime.datetime(2026, 12, 8, 19, 30, tzinfo=UTC) not in starts
    assert not [s for s in starts if s.date() == datetime.date(2027, 1, 12)]
    assert datetime.datetime(2026, 11, 10, 19, 30, tzinfo=UTC) in starts


def test_the_form_says_which_date_the_series_starts_on(cast, client_for):
    response = client_for(cast.coordinator).post(
        reverse("meetings:series_add", args=[cast.eastside.pk]), FORM, follow=True
    )
    assert (
        "The first meeting is on Tuesday 8 December 2026 at 10:00 (New York time)"
        in response.text
    )


def test_editing_a_series_through_the_form_keeps_what_was_not_changed(
    cast, series, client_for
):
    client = client_for(cast.coordinator)
    url = reverse("meetings:series_edit", args=[series.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    response = client.post(
        url, {**data, "start_time": "14:30", "location": "Room 5"}, follow=True
    )
    assert "Series saved; the first meeting is on Tuesday 13 October 2026 at 14:30" in (
        response.text
    )
    series.refresh_from_db()
    assert (series.location, series.title, series.duration_minutes) == (
        "Room 5",
        "Monthly shared-participant review",
        60,
    )
    assert series.rrule == "FREQ=MONTHLY;BYDAY=2TU;COUNT=8"
    assert series.local_start == datetime.datetime(2026, 10, 13, 14, 30)
