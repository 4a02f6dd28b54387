import datetime

import pytest
from django.urls import reverse

from meetings import services
from meetings.dashboard import cadence_figures

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def test_cadence_counts_held_against_scheduled(cast, series, client_for):
    now = datetime.datetime(2027, 2, 1, tzinfo=UTC)
    occurrences = services.occurrences(
        series, start=datetime.datetime(2026, 10, 1, tzinfo=UTC), end=now
    )
    assert len(occurrences) == 4  # Oct, Nov, Dec, Jan
    held = services.occurrence_for(series, occurrences[0].key)
    services.meeting_hold(meeting=held, by=cast.coordinator)
    services.meeting_close(meeting=held, by=cast.coordinator)
    services.meeting_hold(
        meeting=services.occurrence_for(series, occurrences[1].key), by=cast.coordinator
    )
    services.meeting_cancel(
        meeting=services.occurrence_for(series, occurrences[3].key), by=cast.coordinator
    )
    services.action_record(
        meeting=held, by=cast.coordinator, text="Follow up", owner=cast.riverside
    )
    figures = cadence_figures(cast.leader, now=now)
    assert figures["rows"] == [["Eastside Family Support Partnership", 3, 2, 1, 1]]
    assert cadence_figures(cast.outsider, now=now)["rows"] == []
    page = client_for(cast.leader).get(reverse("accountability:dashboard"))
    assert "Meeting cadence" in page.text
