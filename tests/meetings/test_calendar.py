"""Generated calendars read back by independent parsers."""

import datetime

import icalendar
import pytest
import recurring_ical_events
import vobject

from meetings import ical, services

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
WINDOW = (
    datetime.datetime(2026, 9, 1, tzinfo=UTC),
    datetime.datetime(2028, 1, 1, tzinfo=UTC),
)


def app_starts(series):
    return [
        o.start
        for o in services.occurrences(series, start=WINDOW[0], end=WINDOW[1])
        if not o.cancelled
    ]


def expanded_starts(data: bytes):
    calendar = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(calendar).between(WINDOW[0], WINDOW[1])
    return sorted(
        e["DTSTART"].dt.astimezone(UTC)
        for e in events
        if str(e.get("STATUS", "")).upper() != "CANCELLED"
    )


def test_the_series_expands_identically_across_daylight_saving(series):
    data = ical.to_bytes(services.series_calendar(series))
    starts = app_starts(series)
    assert starts[0] == datetime.datetime(2026, 10, 13, 14, 0, tzinfo=UTC)  # EDT
    assert starts[1] == datetime.datetime(2026, 11, 10, 15, 0, tzinfo=UTC)  # EST
    assert expanded_starts(data) == starts
    assert len(starts) == 8


def test_a_moved_and_a_cancelled_occurrence_expand_identically(changed):
    data = ical.to_bytes(services.series_calendar(changed))
    starts = app_starts(changed)
    assert datetime.datetime(2026, 12, 9, 19, 0, tzinfo=UTC) in starts  # moved
    assert datetime.datetime(2027, 1, 12, 15, 0, tzinfo=UTC) not in starts  # cancelled
    assert len(starts) == 7
    assert expanded_starts(data) == starts


def test_invites_carry_method_uid_sequence_and_attendees(changed):
    calendar = icalendar.Calendar.from_ical(
        ical.to_bytes(services.series_calendar(changed))
    )
    assert calendar["METHOD"] == "REQUEST"
    events = list(calendar.walk("VEVENT"))
    assert {str(e["UID"]) for e in events} == {changed.uid}
    assert {int(e["SEQUENCE"]) for e in events} == {changed.sequence}
    assert changed.sequence == 2
    master = next(e for e in events if "RRULE" in e)
    assert master["DTSTAMP"].dt.tzinfo is not None
    attendees = sorted(str(a) for a in master.get("ATTENDEE"))
    assert attendees == ["mailto:ana@pantry.example", "mailto:partner@example.org"]
    assert "ORGANIZER" in master
    override = next(e for e in events if "RECURRENCE-ID" in e)
    assert override["RECURRENCE-ID"].dt.astimezone(UTC) == datetime.datetime(
        2026, 12, 8, 15, 0, tzinfo=UTC
    )


def test_a_second_parser_reads_the_same_events(changed):
    data = ical.to_bytes(services.series_calendar(changed)).decode()
    parsed = vobject.readOne(data)
    events = parsed.contents["vevent"]
    assert len(events) == 2
    master = next(e for e in events if hasattr(e, "rrule"))
    assert master.uid.value == changed.uid
    assert master.dtstart.value.astimezone(UTC) == datetime.datetime(
        2026, 10, 13, 14, 0, tzinfo=UTC
    )
    # vobject expands the rule itself, honouring EXDATE.
    starts = [
        s.astimezone(UTC)
        for s in master.getrruleset(addRDate=True)
        if s.astimezone(UTC) < WINDOW[1]
    ]
    app_master = [
        o.original_start
        for o in services.occurrences(changed, start=WINDOW[0], end=WINDOW[1])
        if not o.cancelled
    ]
    assert starts == app_master


def test_vtimezone_has_one_dtstart_per_observance(series):
    text = ical.to_bytes(services.series_calendar(series)).decode()
    block = text.split("BEGIN:VTIMEZONE", 1)[1].split("END:VTIMEZONE", 1)[0]
    assert "RDATE" not in block
    assert "DTSTART:20261101T020000" in block  # back to winter time
    assert "DTSTART:20270314T020000" in block  # summer time


def test_the_cancellation_of_one_date_names_it(changed):
    meeting = changed.meetings.get(state="cancelled")
    calendar = icalendar.Calendar.from_ical(
        ical.to_bytes(ical.cancel_calendar(changed, meeting=meeting))
    )
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert event["RECURRENCE-ID"].dt.astimezone(UTC) == meeting.original_start
    second = vobject.readOne(
        ical.to_bytes(ical.cancel_calendar(changed, meeting=meeting)).decode()
    )
    assert second.vevent.status.value == "CANCELLED"


def test_the_31st_of_every_month_skips_short_months(cast):
    series = services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Month end",
        kind="other",
        rrule="FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4",
        start_local=datetime.datetime(2027, 1, 31, 9, 0),
        duration_minutes=30,
        tz="Europe/London",
    )
    starts = [
        o.start.date()
        for o in services.occurrences(series, start=WINDOW[0], end=WINDOW[1])
    ]
    assert starts == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 3, 31),
        datetime.date(2027, 5, 31),
        datetime.date(2027, 7, 31),
    ]
    assert expanded_starts(ical.to_bytes(services.series_calendar(series))) == [
        o.start for o in services.occurrences(series, start=WINDOW[0], end=WINDOW[1])
    ]
