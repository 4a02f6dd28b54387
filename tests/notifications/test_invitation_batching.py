"""Adding invitees to a published series: every invitee gets one REQUEST for the
change, however many addresses it adds (N added to E existing: N + E messages,
not N × E), and a failed invitation is retried with a growing delay."""

import datetime

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Delivery
from meetings.services import deliveries

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(cast):
    series = services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Monthly shared-participant review",
        kind="shared_review",
        rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=8",
        start_local=datetime.datetime(2026, 10, 13, 10, 0),
        duration_minutes=60,
        tz="America/New_York",
        location="Northside, room 2",
        invitees=[(None, f"existing{n}@pantry.example", "") for n in range(8)],
    )
    services.series_publish(series=series, by=cast.coordinator)
    return series


def test_adding_ten_invitees_to_eight_sends_eighteen_messages(
    cast, series, client_for, smtp, django_capture_on_commit_callbacks
):
    added = "\n".join(f"new{n}@pantry.example" for n in range(10))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.coordinator).post(
            reverse("meetings:invitee_add", args=[series.pk]), {"addresses": added}
        )
    assert response.status_code == 302
    assert len(smtp.messages) == 18
    everyone = {f"existing{n}@pantry.example" for n in range(8)} | {
        f"new{n}@pantry.example" for n in range(10)
    }
    assert sorted(a for m in smtp.messages for a in m.envelope_to) == sorted(everyone)
    # Each got the newest calendar: all eighteen attendees, the last SEQUENCE.
    latest = max(Delivery.objects.values_list("sequence", flat=True))
    for message in smtp.messages:
        calendar = next(
            part.get_content()
            for part in message.walk()
            if part.get_content_type() == "text/calendar"
        )
        assert f"SEQUENCE:{latest}" in calendar
        assert calendar.count("ATTENDEE") == 18
    replaced = Delivery.objects.filter(last_error=deliveries.REPLACED)
    assert replaced.count() == Delivery.objects.count() - 18 - 8  # 8: publishing


def test_a_failed_invitation_is_retried_later_and_later_for_two_days(
    cast, series, settings
):
    delivery = Delivery.objects.filter(method="REQUEST").first()
    created = delivery.created_at
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=1)
    delivery.refresh_from_db()
    assert deliveries.retry_due_at(delivery) == created
    delivery.attempts = 4
    assert deliveries.retry_due_at(delivery) == created + datetime.timedelta(
        minutes=5 + 10 + 20
    )
    settings.OUTBOX_GIVE_UP_HOURS = 48
    Delivery.objects.exclude(pk=delivery.pk).update(status="sent")
    Delivery.objects.filter(pk=delivery.pk).update(attempts=10)
    assert deliveries.deliveries_retry(now=created + datetime.timedelta(hours=6)) == 0
    later = created + datetime.timedelta(hours=30)
    assert deliveries.deliveries_retry(now=later) == 1  # still tried after a day
    too_late = created + datetime.timedelta(hours=49)
    assert deliveries.deliveries_retry(now=too_late) == 0
