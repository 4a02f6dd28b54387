"""Invitations through a real SMTP server on loopback, parsed back."""

import datetime

import icalendar
import pytest

from meetings import services
from meetings.models import Delivery

pytestmark = pytest.mark.django_db


def calendar_of(message):
    parts = {}
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        name = part.get_filename()
        parts[name or part.get_content_type()] = part
    return parts


def test_schedule_change_cancel_and_remove_send_the_right_itip_mail(
    cast, series, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.series_publish(series=series, by=cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.series_update(series=series, by=cast.coordinator, location="Room 5")
    occurrence = services.occurrences(
        series,
        start=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
        end=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
    )[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(
            meeting=services.occurrence_for(series, occurrence.key), by=cast.coordinator
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.invitee_remove(
            invitee=series.invitees.get(email="ana@pantry.example"), by=cast.coordinator
        )

    received = []
    for message in smtp.messages:
        parts = calendar_of(message)
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert message.get_content_type() == "multipart/mixed"
        alternative = next(p for p in message.iter_parts())
        assert alternative.get_content_type() == "multipart/alternative"
        kinds = [p.get_content_type() for p in alternative.iter_parts()]
        assert kinds == ["text/plain", "text/html", "text/calendar"]
        inline = parts["text/calendar"]
        method = inline.get_param("method")
        attached = parts["invite.ics"].get_content()
        attached = attached.decode() if isinstance(attached, bytes) else attached
        calendar = icalendar.Calendar.from_ical(inline.get_content())
        assert calendar["METHOD"] == method
        assert icalendar.Calendar.from_ical(attached) == calendar
        event = next(iter(calendar.walk("VEVENT")))
        received.append(
            (
                message.envelope_to[0],
                method,
                str(event["UID"]),
                int(event["SEQUENCE"]),
                "RECURRENCE-ID" in event,
                body,
            )
        )

    uids = {uid for _, _, uid, _, _, _ in received}
    assert uids == {series.uid}
    by_step = [(to, method, seq, rid) for to, method, _, seq, rid, _ in received]
    assert by_step == [
        ("ana@pantry.example", "REQUEST", 0, False),
        ("partner@example.org", "REQUEST", 0, False),
        ("ana@pantry.example", "REQUEST", 1, False),
        ("partner@example.org", "REQUEST", 1, False),
        ("ana@pantry.example", "CANCEL", 2, True),
        ("partner@example.org", "CANCEL", 2, True),
        ("ana@pantry.example", "CANCEL", 3, False),
    ]
    assert "Answer for every date: http://testserver/rsvp/" in received[0][5]
    assert Delivery.objects.filter(status="sent").count() == 7


def test_a_draft_series_sends_nothing_and_a_quiet_change_stays_quiet(
    cast, series, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.series_update(series=series, by=cast.coordinator, location="Room 9")
    assert smtp.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        services.series_publish(series=series, by=cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.series_update(
            series=series, by=cast.coordinator, location="Room 1", notify=False
        )
    assert len(smtp.messages) == 2


def test_a_failed_send_is_kept_visible_and_retried(
    cast, series, settings, smtp, django_capture_on_commit_callbacks, client_for
):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there: the send fails for real
    with django_capture_on_commit_callbacks(execute=True):
        services.series_publish(series=series, by=cast.coordinator)
    failed = Delivery.objects.filter(status="failed")
    assert failed.count() == 2
    page = client_for(cast.coordinator).get(series.get_absolute_url())
    assert "could not be sent" in page.text
    settings.EMAIL_PORT = port
    assert services.deliveries_retry() == 2
    assert Delivery.objects.filter(status="sent").count() == 2
    assert len(smtp.messages) == 2
