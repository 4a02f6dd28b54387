"""Feeds calendar programs poll all day, at almost no cost (issue 16, item 3):
an unchanged feed is answered from its token and the version of what it shows,
without reading the series tables; the full body is cached until a change;
every web process sharing the cache (Redis in production) sees a change at
once."""

import datetime
import shutil
import socket
import subprocess
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.models import FeedToken
from partnerships import services as partnership_services

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
DECEMBER = "20261208T150000Z"


@pytest.fixture
def published(cast, series):
    services.series_publish(series=series, by=cast.coordinator)
    return series


@pytest.fixture
def feed_url(cast, published):
    return reverse("meetings_feed", args=[FeedToken.issue(user=cast.partner)])


def test_an_unchanged_feed_takes_two_queries_and_no_series_table(
    client, feed_url, django_assert_max_num_queries
):
    first = client.get(feed_url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as unchanged:
        again = client.get(feed_url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    with CaptureQueriesContext(connection) as cached:
        body = client.get(feed_url)
    assert body.content == first.content
    assert body["ETag"] == first["ETag"]
    for captured in (unchanged, cached):
        assert len(captured) <= 2, [q["sql"] for q in captured]
        sql = " ".join(q["sql"] for q in captured)
        assert "meetings_meetingseries" not in sql
        assert 'meetings_meeting"' not in sql


def test_a_full_feed_is_built_with_bounded_queries(
    cast, client, feed_url, django_assert_max_num_queries
):
    for n in range(5):
        series = services.series_create(
            partnership=cast.eastside,
            by=cast.coordinator,
            title=f"Working group {n}",
            kind="operational",
            rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=20",
            start_local=datetime.datetime(2026, 12, 7, 9),
            duration_minutes=30,
            tz="America/New_York",
            invitees=[(cast.partner, cast.partner.email, "")],
        )
        services.series_publish(series=series, by=cast.coordinator)
    with django_assert_max_num_queries(8):
        response = client.get(feed_url)
    assert response.content.count(b"BEGIN:VEVENT") == 6


CHANGES = {
    "place": lambda cast, s: services.series_update(
        series=s, by=cast.coordinator, location="Room 5"
    ),
    "one date moved": lambda cast, s: services.meeting_move(
        meeting=services.occurrence_for(s, DECEMBER),
        by=cast.coordinator,
        start_local=datetime.datetime(2026, 12, 9, 14),
    ),
    "one date cancelled": lambda cast, s: services.meeting_cancel(
        meeting=services.occurrence_for(s, DECEMBER), by=cast.coordinator
    ),
    "series cancelled": lambda cast, s: services.series_cancel(
        series=s, by=cast.coordinator
    ),
    "reader removed": lambda cast, s: services.invitee_remove(
        invitee=s.invitees.get(user=cast.partner), by=cast.coordinator
    ),
    "reader's organisation left": lambda cast, s: (
        partnership_services.participation_remove(
            participation=cast.eastside_riverside, by=cast.coordinator
        )
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_what_a_feed_shows_gives_it_a_new_body(
    cast, published, client, feed_url, change
):
    first = client.get(feed_url)
    CHANGES[change](cast, published)
    again = client.get(feed_url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again.content != first.content
    assert client.get(feed_url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_a_newly_published_series_appears_at_once(cast, published, client, feed_url):
    first = client.get(feed_url)
    other = services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Data-sharing working group",
        kind="operational",
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4",
        start_local=datetime.datetime(2026, 12, 7, 9),
        duration_minutes=30,
        tz="America/New_York",
        invitees=[(cast.partner, cast.partner.email, "")],
    )
    assert client.get(feed_url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    services.series_publish(series=other, by=cast.coordinator)
    again = client.get(feed_url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert b"Data-sharing working group" in again.content


@pytest.fixture
def redis_cache(settings):
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - Debian's redis-server, our flags
        [server, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        url = f"redis://127.0.0.1:{port}/0"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
            }
        }
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_servers_sharing_redis_answer_a_change_at_once(
    cast, published, feed_url, redis_cache, client, django_assert_max_num_queries
):
    """Two web processes share the database and Redis and nothing else: what one
    cached is served by the other, and a change made through either (which
    touches no cache) is seen by both."""
    import redis
    from django.test import Client

    server_a, server_b = client, Client()
    first = server_a.get(feed_url)
    assert first.status_code == 200
    stored = redis.Redis.from_url(redis_cache).keys("*meetings:feed:*")
    assert len(stored) == 1  # the body lives in Redis, not in a process
    with django_assert_max_num_queries(2):
        from_b = server_b.get(feed_url)
    assert from_b.content == first.content
    services.series_update(series=published, by=cast.coordinator, location="Room 5")
    for server in (server_a, server_b):
        again = server.get(feed_url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200
        assert b"Room 5" in again.content
    assert server_a.get(feed_url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
