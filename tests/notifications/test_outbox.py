"""The outbox: each e-mail is a row before it is sent, sent once over real SMTP,
retried while the server refuses, given up on visibly, and retried by hub staff."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import OutgoingMail
from notifications.outbox import mail_send, outbox_sweep, retry_delay
from partnerships.emails import send_email

pytestmark = pytest.mark.django_db
Status = OutgoingMail.Status


def directory_notice(to, **extra):
    send_email(
        "directory-stale",
        to=to,
        context={"service": type("S", (), {"name": "Rent help"})()},
        **extra,
    )


def test_each_address_gets_its_own_row_and_exactly_one_message_after_commit(
    smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        directory_notice(["b@example.org", "a@example.org", "a@example.org"])
        # Written with the event, not yet sent.
        assert OutgoingMail.objects.filter(status=Status.QUEUED).count() == 2
        assert smtp.messages == []
    assert sorted(m.envelope_to[0] for m in smtp.messages) == [
        "a@example.org",
        "b@example.org",
    ]
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {Status.SENT}
    # Sending again finds nothing to send.
    for mail in OutgoingMail.objects.all():
        assert mail_send(mail_id=mail.pk) == "skipped"
    assert len(smtp.messages) == 2
    ids = {m["Message-ID"] for m in smtp.messages}
    assert len(ids) == 2 and all(i.startswith("<outbox.") for i in ids)


def test_a_rolled_back_event_sends_nothing(smtp, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        directory_notice(["a@example.org"])
        raise RuntimeError
    assert not OutgoingMail.objects.exists()
    assert smtp.messages == []


def test_the_same_key_queues_nothing_twice(django_capture_on_commit_callbacks):
    for _ in range(2):
        directory_notice(["a@example.org"], key="stale:7:2026-11-26")
    assert OutgoingMail.objects.count() == 1


def test_a_refused_message_is_retried_with_backoff_until_smtp_is_back(
    smtp_down, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RETRY_BASE = 30
    with django_capture_on_commit_callbacks(execute=True):
        directory_notice(["a@example.org"])
    mail = OutgoingMail.objects.get()
    assert (mail.status, mail.attempts) == (Status.QUEUED, 1)
    assert "ConnectionRefusedError" in mail.last_error
    wait = (mail.next_attempt_at - timezone.now()).total_seconds()
    assert 25 < wait <= 30
    # Not due yet: a sweep leaves it alone, a stray task does not send it early.
    assert outbox_sweep() == 0
    assert mail_send(mail_id=mail.pk) == "not due"
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30,
        60,
        120,
        3600,
        3600,
    ]


def test_tick_sends_what_waited_once_smtp_answers_again(
    smtp, settings, django_capture_on_commit_callbacks
):
    directory_notice(["a@example.org"])  # its task was lost: never ran
    OutgoingMail.objects.update(
        attempts=3,
        last_error="ConnectionRefusedError",
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    assert outbox_sweep() == 1
    assert outbox_sweep() == 0
    mail = OutgoingMail.objects.get()
    assert (mail.status, mail.attempts, mail.last_error) == (Status.SENT, 4, "")
    assert len(smtp.messages) == 1


def test_after_the_retry_window_the_message_fails_and_hub_staff_retry_it(
    smtp_down, settings, client_for, cast, django_capture_on_commit_callbacks
):
    settings.OUTBOX_GIVE_UP_HOURS = 24
    directory_notice(["a@example.org"])
    OutgoingMail.objects.update(created_at=timezone.now() - timedelta(hours=25))
    mail = OutgoingMail.objects.get()
    assert mail_send(mail_id=mail.pk) == Status.FAILED

    client = client_for(cast.hub)
    listing = client.get("/admin/outgoing_mail/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "outbox-failed" in page and ">Failed</strong>" in page
    retry = f"/admin/outgoing_mail/retry/{mail.pk}/"
    assert retry in page
    assert "Send it again" in client.get(retry).content.decode()

    settings.EMAIL_PORT = 1  # still down: the retry is queued, then refused again
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302, response
    assert response["Location"] == "/admin/outgoing_mail/", response["Location"]
    assert [str(m) for m in response.wsgi_request._messages] == [
        "The mail to a@example.org is queued again."
    ]
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (Status.QUEUED, 2)


def test_a_message_that_did_not_fail_cannot_be_retried(client_for, cast):
    directory_notice(["a@example.org"])
    mail = OutgoingMail.objects.get()
    client = client_for(cast.hub)
    response = client.post(f"/admin/outgoing_mail/retry/{mail.pk}/", follow=True)
    assert "Only failed mail can be retried" in response.content.decode()
    assert OutgoingMail.objects.get().status == Status.QUEUED


@pytest.mark.parametrize("who", ["coordinator", "partner", "outsider", "leader"])
def test_partners_never_see_outgoing_mail(client_for, cast, who):
    directory_notice(["a@example.org"])
    mail = OutgoingMail.objects.get()
    client = client_for(getattr(cast, who))
    for url in (
        "/admin/outgoing_mail/",
        f"/admin/outgoing_mail/inspect/{mail.pk}/",
        f"/admin/outgoing_mail/retry/{mail.pk}/",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/admin/outgoing_mail/retry/{mail.pk}/").status_code == 403


def test_mail_about_a_partnership_is_withheld_from_someone_who_lost_access(
    cast, smtp, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        directory_notice(
            [cast.partner.email, cast.coordinator.email], partnership=cast.eastside
        )
        cast.partner.is_active = False
        cast.partner.save()
    for mail in OutgoingMail.objects.all():
        mail_send(mail_id=mail.pk)
    assert [m.envelope_to for m in smtp.messages] == [[cast.coordinator.email]]
    assert OutgoingMail.objects.get(recipient=cast.partner.email).status == (
        Status.WITHHELD
    )


def test_the_listing_costs_the_same_queries_for_many_messages(
    client_for, cast, django_assert_max_num_queries
):
    for n in range(60):
        directory_notice([f"p{n}@example.org"])
    client = client_for(cast.hub)
    with django_assert_max_num_queries(25):
        assert client.get("/admin/outgoing_mail/").status_code == 200


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_a_message_being_sent_by_one_worker_is_passed_by_by_another(smtp):
    # Written directly: queued here, the immediate test backend would send it.
    mail = OutgoingMail.objects.create(
        recipient="a@example.org",
        kind="directory",
        event="directory-stale",
        key="lock-test",
        subject="Check your entry",
        body="b",
        status=Status.QUEUED,
    )
    locked, release = threading.Event(), threading.Event()

    def first_worker():
        with transaction.atomic():
            OutgoingMail.objects.select_for_update().get(pk=mail.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    locked.wait(10)
    try:
        assert mail_send(mail_id=mail.pk) == "skipped"
    finally:
        release.set()
        thread.join()
    assert smtp.messages == []


def test_a_reminder_is_recorded_with_its_mail_and_stamped_when_it_leaves(
    cast, smtp, settings, django_capture_on_commit_callbacks
):
    import datetime

    from partnerships import reminders
    from partnerships.models import Reminder

    due = reminders.Due(
        obj=cast.eastside,
        kind="test.nudge",
        due_date=datetime.date(2026, 12, 1),
        send=lambda: directory_notice([cast.coordinator.email]),
    )
    port, settings.EMAIL_PORT = settings.EMAIL_PORT, 1  # SMTP down
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_all([due]) == {"test.nudge": 1}
        assert reminders.send_all([due]) == {}  # recorded: never queued twice
    mail = OutgoingMail.objects.get()
    assert (mail.status, mail.about) == (Status.QUEUED, cast.eastside)
    assert mail.key.startswith(f"reminder:{Reminder.objects.get().pk}:")

    settings.EMAIL_PORT = port
    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    assert mail_send(mail_id=mail.pk) == Status.SENT
    mail.refresh_from_db()
    assert Reminder.objects.get().sent_at == mail.sent_at
    assert [m.envelope_to for m in smtp.messages] == [[cast.coordinator.email]]


def test_a_message_whose_worker_died_mid_send_goes_out_once_its_claim_is_stale(
    smtp, settings
):
    settings.OUTBOX_SENDING_TIMEOUT = 60
    directory_notice(["a@example.org"])
    mail = OutgoingMail.objects.get()
    # A worker took it and was killed before it could say how the send went.
    OutgoingMail.objects.update(
        status=Status.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert mail_send(mail_id=mail.pk) == "being sent"
    assert outbox_sweep() == 0
    assert smtp.messages == []

    OutgoingMail.objects.update(claimed_at=timezone.now() - timedelta(seconds=61))
    assert mail_send(mail_id=mail.pk) == Status.SENT
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (Status.SENT, 2)
    assert len(smtp.messages) == 1
