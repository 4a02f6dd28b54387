import datetime

import pytest

from meetings import services
from meetings.models import MeetingSeries

UTC = datetime.UTC


@pytest.fixture
def series(cast) -> MeetingSeries:
    """Monthly on the second Tuesday at 10:00 New York time, from October 2026
    (crosses the November change to winter time), with an outside invitee."""
    return services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Monthly shared-participant review",
        kind="shared_review",
        rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=8",
        start_local=datetime.datetime(2026, 10, 13, 10, 0),
        duration_minutes=60,
        tz="America/New_York",
        location="Northside, room 2",
        invitees=[
            (cast.partner, cast.partner.email, "Priya Nair"),
            (None, "ana@pantry.example", "Ana Costa"),
        ],
    )


def key(dt: datetime.datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%SZ")


@pytest.fixture
def changed(cast, series):
    """One occurrence moved, one cancelled."""
    occurrences = services.occurrences(
        series,
        start=datetime.datetime(2026, 10, 1, tzinfo=UTC),
        end=datetime.datetime(2027, 12, 1, tzinfo=UTC),
    )
    moved = services.occurrence_for(series, occurrences[2].key)
    services.meeting_move(
        meeting=moved,
        by=cast.coordinator,
        start_local=datetime.datetime(2026, 12, 9, 14),
    )
    cancelled = services.occurrence_for(series, occurrences[3].key)
    services.meeting_cancel(meeting=cancelled, by=cast.coordinator)
    series.refresh_from_db()
    return series
