"""Issue 10, defect 11 (meetings): one absurd cadence must neither be stored nor,
if it reaches the database anyway, take every subscriber's feed down."""

import datetime

import icalendar
import pytest
import recurring_ical_events
import vobject
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.dashboard import cadence_figures
from meetings.models import FeedToken, Meeting, MeetingSeries

from ..meetings import conftest as standing

pytestmark = pytest.mark.django_db

# The app's standing fixtures, shared with tests/meetings.
series = standing.series

UTC = datetime.UTC


def _create(cast, **overrides):
    fields = {
        "partnership": cast.eastside,
        "by": cast.coordinator,
        "title": "Quarterly strategic review",
        "kind": "strategic",
        "rrule": "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE",
        "start_local": datetime.datetime(2026, 11, 4, 14, 0),
        "duration_minutes": 90,
        "tz": "America/New_York",
        "invitees": [(cast.partner, cast.partner.email, "Priya Nair")],
    }
    fields.update(overrides)
    return services.series_create(**fields)


@pytest.fixture
def two_published(cast, series):
    """The fixture's monthly review and a quarterly review, both sent out."""
    other = _create(cast)
    services.series_publish(series=series, by=cast.coordinator)
    services.series_publish(series=other, by=cast.coordinator)
    return series, other


def _feeds(cast, client):
    """Every subscriber's view: partner's personal feed, coordinator's partnership
    feed. Each answers 200 and parses in two independent readers."""
    calendars = []
    for token in [
        FeedToken.issue(user=cast.partner),
        FeedToken.issue(user=cast.coordinator, partnership=cast.eastside),
    ]:
        response = client.get(reverse("meetings_feed", args=[token]))
        assert response.status_code == 200
        calendar = icalendar.Calendar.from_ical(response.content)
        vobject.readOne(response.content.decode())
        calendars.append(calendar)
    return calendars


def _uids(calendar) -> set[str]:
    return {str(event["UID"]) for event in calendar.walk("VEVENT")}


def _good_series_expands(calendar, series) -> None:
    """The healthy series still expands to its real dates in a client library."""
    occurrences = recurring_ical_events.of(calendar).between(
        datetime.datetime(2026, 10, 1, tzinfo=UTC),
        datetime.datetime(2027, 1, 1, tzinfo=UTC),
    )
    starts = sorted(
        event["DTSTART"].dt for event in occurrences if str(event["UID"]) == series.uid
    )
    assert [start.date() for start in starts] == [
        datetime.date(2026, 10, 13),
        datetime.date(2026, 11, 10),
        datetime.date(2026, 12, 8),
    ]


def test_an_interval_of_two_to_the_31_is_refused_and_feeds_still_answer(
    cast, two_published, client, client_for
):
    series, other = two_published
    count = MeetingSeries.objects.count()
    with pytest.raises(ValidationError, match="from 1 to 24"):
        _create(cast, rrule="FREQ=MONTHLY;INTERVAL=2147483648")
    with pytest.raises(ValidationError, match="interval"):
        services.series_update(
            series=other, by=cast.coordinator, rrule="FREQ=WEEKLY;INTERVAL=2147483648"
        )
    # Through the form: a clear message, nothing stored.
    response = client_for(cast.coordinator).post(
        reverse("meetings:series_add", args=[cast.eastside.pk]),
        {
            "title": "Absurd",
            "kind": "other",
            "preset": "custom",
            "frequency": "MONTHLY",
            "interval": str(2**31),
            "start_date": "2026-11-01",
            "start_time": "10:00",
            "duration_minutes": "60",
            "timezone": "Europe/London",
        },
    )
    assert response.status_code == 200
    assert "The interval must be 366 or less." in response.text
    response = client_for(cast.coordinator).post(
        reverse("meetings:series_add", args=[cast.eastside.pk]),
        {
            "title": "Absurd",
            "kind": "other",
            "preset": "custom",
            "frequency": "WEEKLY",
            "interval": "300",
            "start_date": "2026-11-01",
            "start_time": "10:00",
            "duration_minutes": "60",
            "timezone": "Europe/London",
        },
    )
    assert "every 1 to 104 weeks" in response.text
    assert MeetingSeries.objects.count() == count
    other.refresh_from_db()
    assert "2147483648" not in other.rrule

    # The bad row reaches the database some other way: every feed still answers,
    # with the healthy series in it and without the broken one.
    MeetingSeries.objects.filter(pk=other.pk).update(
        rrule="FREQ=MONTHLY;INTERVAL=2147483648"
    )
    for calendar in _feeds(cast, client):
        assert _uids(calendar) == {series.uid}
        _good_series_expands(calendar, series)
    # Pages that expand the dates answer too.
    coordinator = client_for(cast.coordinator)
    assert (
        coordinator.get(reverse("meetings:index", args=[cast.eastside.pk])).status_code
        == 200
    )
    assert (
        coordinator.get(reverse("meetings:series", args=[other.pk])).status_code == 200
    )
    assert cadence_figures(cast.coordinator)["rows"]  # the dashboard panel


@pytest.mark.parametrize("year", [1, 9999])
def test_a_first_meeting_in_year_1_or_9999_is_refused_and_feeds_still_answer(
    cast, two_published, client, client_for, year
):
    series, other = two_published
    count = MeetingSeries.objects.count()
    with pytest.raises(ValidationError, match="between the years 2000 and 2100"):
        _create(cast, start_local=datetime.datetime(year, 1, 5, 10, 0))
    with pytest.raises(ValidationError, match="between the years 2000 and 2100"):
        services.series_update(
            series=other,
            by=cast.coordinator,
            start_local=datetime.datetime(year, 1, 5, 10, 0),
        )
    response = client_for(cast.coordinator).post(
        reverse("meetings:series_add", args=[cast.eastside.pk]),
        {
            "title": "Far away",
            "kind": "other",
            "preset": "monthly_review",
            "start_date": f"{year:04d}-01-05",
            "start_time": "10:00",
            "duration_minutes": "60",
            "timezone": "Europe/London",
        },
    )
    assert response.status_code == 200
    assert "between the years 2000 and 2100" in response.text
    assert MeetingSeries.objects.count() == count

    MeetingSeries.objects.filter(pk=other.pk).update(
        start=datetime.datetime(year, 1, 5, 10, 0, tzinfo=UTC)
    )
    for calendar in _feeds(cast, client):
        assert _uids(calendar) == {series.uid}
        _good_series_expands(calendar, series)
    coordinator = client_for(cast.coordinator)
    assert (
        coordinator.get(reverse("meetings:index", args=[cast.eastside.pk])).status_code
        == 200
    )
    assert cadence_figures(cast.coordinator)["rows"]  # the dashboard panel


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=SECONDLY", "DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("FREQ=DAILY;BYHOUR=1,2,3,4,5,6,7,8", "may not use BYHOUR"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "may not use BYMONTH"),
        ("FREQ=WEEKLY;COUNT=100000", "from 1 to 1000 meetings"),
        ("FREQ=WEEKLY;UNTIL=99991231T235959", "must end by 2100-12-31"),
        ("FREQ=WEEKLY;INTERVAL=-1", "from 1 to 104"),
        ("FREQ=WEEKLY;INTERVAL=1;INTERVAL=2", "names INTERVAL twice"),
    ],
)
def test_a_raw_rule_that_no_calendar_can_hold_is_refused(cast, rule, message):
    with pytest.raises(ValidationError, match=message):
        _create(cast, rrule=rule)
    assert not MeetingSeries.objects.exists()


@pytest.mark.parametrize(
    "moved_to",
    [
        datetime.datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
        datetime.datetime(1, 1, 1, 0, 30, tzinfo=UTC),
    ],
)
def test_a_meeting_moved_to_year_9999_is_refused_and_the_feed_still_answers(
    cast, two_published, client, client_for, moved_to
):
    series, other = two_published
    occurrence = services.occurrences(
        series,
        start=datetime.datetime(2026, 11, 1, tzinfo=UTC),
        end=datetime.datetime(2026, 12, 1, tzinfo=UTC),
    )[0]
    meeting = services.occurrence_for(series, occurrence.key)
    with pytest.raises(ValidationError, match="new date must be between"):
        services.meeting_move(
            meeting=meeting,
            by=cast.coordinator,
            start_local=datetime.datetime(9999, 12, 31, 23, 0),
        )
    response = client_for(cast.coordinator).post(
        reverse("meetings:state", args=[meeting.pk, "move"]),
        {"date": "9999-12-31", "time": "23:00"},
        follow=True,
    )
    assert "new date must be between" in response.text
    meeting.refresh_from_db()
    assert meeting.start == meeting.original_start
    # Stored anyway: every feed still answers with the other series in it (the
    # one with the move stays too if the calendar can still hold it).
    Meeting.objects.filter(pk=meeting.pk).update(
        start=moved_to, end=moved_to + datetime.timedelta(minutes=20)
    )
    for calendar in _feeds(cast, client):
        assert other.uid in _uids(calendar)


def test_a_duration_of_two_to_the_31_minutes_is_refused(cast):
    with pytest.raises(ValidationError, match="from 5 to 1440 minutes"):
        _create(cast, duration_minutes=2**31)
    assert not MeetingSeries.objects.exists()
