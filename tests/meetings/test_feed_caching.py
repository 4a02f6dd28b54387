"""Feeds and downloads as calendar programs fetch them (issue 13): conditional
requests answered as HTTP says, file names beyond ASCII, and one meeting's .ics
that a calendar holding the invitation recognises."""

import datetime

import icalendar
import pytest
import vobject
from django.urls import reverse
from django.utils.http import http_date

from meetings import services
from meetings.models import FeedToken

pytestmark = pytest.mark.django_db
OCTOBER = "20261013T140000Z"


@pytest.fixture
def feed(cast, series, client):
    services.series_publish(series=series, by=cast.coordinator)
    url = reverse("meetings_feed", args=[FeedToken.issue(user=cast.partner)])
    first = client.get(url)
    assert first.status_code == 200
    return url, first


@pytest.mark.parametrize(
    "if_none_match",
    [
        lambda etag: f"W/{etag}",
        lambda etag: f'"something-else", {etag}',
        lambda etag: "*",
    ],
    ids=["weak", "listed", "any"],
)
def test_a_feed_answers_304_to_weak_and_listed_etags(client, feed, if_none_match):
    url, first = feed
    again = client.get(url, HTTP_IF_NONE_MATCH=if_none_match(first["ETag"]))
    assert again.status_code == 304
    assert again.content == b""


def test_a_feed_honours_if_modified_since(cast, series, client, feed):
    url, first = feed
    same = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert same.status_code == 304
    earlier = http_date((series.updated_at - datetime.timedelta(minutes=5)).timestamp())
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_a_304_carries_the_same_caching_headers_as_the_200(client, feed):
    url, first = feed
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    for header in ("Cache-Control", "ETag", "Last-Modified"):
        assert again[header] == first[header], header


def test_a_download_with_an_accented_title_names_the_file_as_http_says(
    cast, series, client_for
):
    services.series_update(
        series=series, by=cast.coordinator, title="Café review — São Paulo"
    )
    client = client_for(cast.partner)
    response = client.get(reverse("meetings:series_ics", args=[series.pk]))
    header = response["Content-Disposition"]
    header.encode("ascii")  # raises if it is not plain ASCII
    assert "=?utf-8?" not in header.lower()
    assert header.startswith('attachment; filename="Cafe review  Sao Paulo.ics"')
    assert "filename*=utf-8''Caf%C3%A9%20review%20%E2%80%94%20S%C3%A3o%20Paulo.ics" in (
        header
    )
    plain = client.get(reverse("meetings:series_ics", args=[series.pk]))
    assert plain.status_code == 200


def test_one_meetings_ics_is_the_invitations_event_for_that_date(
    cast, series, client_for
):
    meeting = services.occurrence_for(series, OCTOBER)
    response = client_for(cast.partner).get(
        reverse("meetings:meeting_ics", args=[meeting.pk])
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="Monthly shared-participant review 2026-10-13.ics"'
    )
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == series.uid
    assert event["RECURRENCE-ID"].dt.astimezone(datetime.UTC) == (
        meeting.original_start
    )
    assert event["DTSTART"].dt.astimezone(datetime.UTC) == meeting.start
    parsed = vobject.readOne(response.content.decode())
    assert parsed.vevent.uid.value == series.uid
    assert parsed.vevent.dtstart.value.tzinfo is not None
