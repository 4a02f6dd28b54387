"""An invitation e-mail changes status one way (meetings.services.deliveries):
it leaves once, a sent or withheld one is final, and two workers sending the
same invitation at once send it once."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from meetings import services
from meetings.models import Delivery
from meetings.services import deliveries

from ..concurrency import run_together

Status = Delivery.Status


def queued(series, email="ana@pantry.example") -> Delivery:
    """An invitation waiting to leave, as series_publish leaves it."""
    calendar = services.series_calendar(series).to_ical().decode()
    return Delivery.objects.create(
        series=series,
        email=email,
        method="REQUEST",
        sequence=series.sequence,
        subject=f"Invitation: {series.title}",
        body="You are invited.",
        calendar=calendar,
    )


@pytest.mark.django_db
def test_an_invitation_is_sent_once_however_often_the_task_runs(series, smtp):
    delivery = queued(series)
    assert services.delivery_send(delivery_id=delivery.pk) == Status.SENT
    assert services.delivery_send(delivery_id=delivery.pk) == Status.SENT
    assert len(smtp.to("ana@pantry.example")) == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (1, "")
    assert delivery.sent_at is not None


@pytest.mark.django_db
def test_a_failed_invitation_keeps_the_reason_and_is_sent_on_retry(
    series, smtp, settings
):
    delivery = queued(series)
    port, settings.EMAIL_PORT = settings.EMAIL_PORT, 1
    assert services.delivery_send(delivery_id=delivery.pk) == Status.FAILED
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_error
    settings.EMAIL_PORT = port
    assert services.delivery_send(delivery_id=delivery.pk) == Status.SENT
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (2, "")
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_a_removed_invitee_is_withheld_for_good(cast, series, smtp):
    delivery = queued(series)
    series.invitees.filter(email="ana@pantry.example").update(
        removed_at=delivery.created_at
    )
    assert services.delivery_send(delivery_id=delivery.pk) == Status.WITHHELD
    series.invitees.filter(email="ana@pantry.example").update(removed_at=None)
    # Invited again later: this old message still does not leave.
    assert services.delivery_send(delivery_id=delivery.pk) == Status.WITHHELD
    assert smtp.messages == []


@pytest.mark.django_db
@pytest.mark.parametrize("final", [Status.SENT, Status.WITHHELD])
@pytest.mark.parametrize("to", list(Status))
def test_a_sent_or_withheld_invitation_never_changes_status(series, final, to):
    delivery = queued(series)
    Delivery.objects.filter(pk=delivery.pk).update(status=final)
    delivery.refresh_from_db()
    with pytest.raises(ValidationError):
        deliveries._mark(delivery, to)
    delivery.refresh_from_db()
    assert delivery.status == final


@pytest.mark.django_db
def test_nothing_goes_back_to_queued(series):
    delivery = queued(series)
    with pytest.raises(ValidationError):
        deliveries._mark(delivery, Status.QUEUED)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locking"
)
def test_two_workers_sending_the_same_invitation_send_it_once(
    series, smtp, monkeypatch
):
    delivery = queued(series)
    # Each worker, having seen the invitation queued, waits there for the other:
    # without the row lock both go on to send it.
    both_checked = threading.Barrier(2, timeout=3.0)

    def wait_for_the_other(delivery):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()

    monkeypatch.setattr(deliveries, "_checked", wait_for_the_other)
    results = run_together(
        lambda: services.delivery_send(delivery_id=delivery.pk),
        lambda: services.delivery_send(delivery_id=delivery.pk),
    )
    assert results == [Status.SENT, Status.SENT]
    assert len(smtp.to("ana@pantry.example")) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1
