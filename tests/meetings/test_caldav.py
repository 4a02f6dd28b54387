"""Store generated events on a real CalDAV server (Radicale, on loopback) and
read them back, and compare the server's own expansion with ours."""

import datetime
import http.client
import re
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import icalendar
import pytest

from meetings import ical, services
from meetings.models import MeetingSeries

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def radicale(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "config"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "[auth]\ntype = none\n"
        "[rights]\ntype = authenticated\n"
        f"[storage]\nfilesystem_folder = {tmp_path / 'collections'}\n"
        "[logging]\nlevel = warning\n"
    )
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and config
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def request(port, method, path, body=b"", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        method,
        path,
        body=body,
        headers={"Authorization": "Basic YW5hOng=", **(headers or {})},
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def events_of(data: bytes) -> dict:
    calendar = icalendar.Calendar.from_ical(data)
    return {
        (
            str(e["UID"]),
            e.get("RECURRENCE-ID").to_ical() if "RECURRENCE-ID" in e else b"",
        ): {
            key: e[key].to_ical()
            for key in (
                "DTSTART",
                "DTEND",
                "SEQUENCE",
                "RRULE",
                "EXDATE",
                "SUMMARY",
                "STATUS",
                "LOCATION",
            )
            if key in e
        }
        for e in calendar.walk("VEVENT")
    }


def retime(cast, series):
    """The series' time moves after one date was moved and one cancelled."""
    services.series_update(
        series=series,
        by=cast.coordinator,
        start_local=datetime.datetime(2026, 10, 13, 14, 30),
    )


def start_off_the_rule(cast, series):
    """A row saved with a first date the rule does not give (a Thursday)."""
    MeetingSeries.objects.filter(pk=series.pk).update(
        start=datetime.datetime(2026, 10, 15, 14, tzinfo=UTC)
    )


def answered(cast, series):
    """Ana comes to every date but one; the invitation carries both answers."""
    ana = series.invitees.get(email="ana@pantry.example")
    services.rsvp_record(invitee=ana, meeting=None, response="accepted")
    february = services.occurrence_for(series, "20270209T150000Z")
    services.rsvp_record(invitee=ana, meeting=february, response="declined")


@pytest.mark.parametrize(
    "then",
    [None, retime, start_off_the_rule, answered],
    ids=["as-set", "retimed", "off-rule", "answered"],
)
def test_radicale_keeps_the_events_and_expands_them_like_we_do(
    cast, changed, radicale, then
):
    if then:
        then(cast, changed)
        changed.refresh_from_db()
    port = radicale
    status, _ = request(port, "MKCALENDAR", "/ana/meetings/")
    assert status == 201
    if then is answered:
        # The invitation as a calendar program files it: without its METHOD.
        data = ical.to_bytes(services.series_calendar(changed)).replace(
            b"METHOD:REQUEST\r\n", b""
        )
    else:
        data = ical.to_bytes(services.series_calendar(changed, method=None))
    assert b"METHOD" not in data
    status, _ = request(
        port,
        "PUT",
        f"/ana/meetings/{changed.pk}.ics",
        data,
        {"Content-Type": "text/calendar; charset=utf-8"},
    )
    assert status == 201
    status, stored = request(port, "GET", f"/ana/meetings/{changed.pk}.ics")
    assert status == 200
    assert events_of(stored) == events_of(data)

    report = (
        b'<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" '
        b'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data>'
        b'<C:expand start="20260901T000000Z" end="20280101T000000Z"/>'
        b'</C:calendar-data></D:prop><C:filter><C:comp-filter name="VCALENDAR">'
        b'<C:comp-filter name="VEVENT"><C:time-range start="20260901T000000Z" '
        b'end="20280101T000000Z"/></C:comp-filter></C:comp-filter></C:filter>'
        b"</C:calendar-query>"
    )
    status, body = request(
        port,
        "REPORT",
        "/ana/meetings/",
        report,
        {"Depth": "1", "Content-Type": "application/xml"},
    )
    assert status == 207
    tree = ET.fromstring(body)  # noqa: S314 - our own test server's answer
    texts = [
        node.text
        for node in tree.iter("{urn:ietf:params:xml:ns:caldav}calendar-data")
        if node.text
    ]
    starts = []
    for text in texts:
        for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            value = event["DTSTART"].dt
            starts.append(value.astimezone(UTC))
    ours = [
        o.start
        for o in services.occurrences(
            changed,
            start=datetime.datetime(2026, 9, 1, tzinfo=UTC),
            end=datetime.datetime(2028, 1, 1, tzinfo=UTC),
        )
        if not o.cancelled
    ]
    assert sorted(starts) == ours
    # Eight dates, one cancelled, each local date once: nothing doubled or back.
    assert len(ours) == len({s.astimezone(changed.zone).date() for s in ours}) == 7
    assert re.search(rb"TZID", stored)
    if then is answered:
        partstats = {
            (
                event["RECURRENCE-ID"].dt.astimezone(UTC).date()
                if "RECURRENCE-ID" in event
                else None,
                str(a).removeprefix("mailto:"),
            ): str(a.params["PARTSTAT"])
            for event in icalendar.Calendar.from_ical(stored).walk("VEVENT")
            for a in event.get("ATTENDEE", [])
        }
        assert partstats[None, "ana@pantry.example"] == "ACCEPTED"
        february = datetime.date(2027, 2, 9)
        assert partstats[february, "ana@pantry.example"] == "DECLINED"
