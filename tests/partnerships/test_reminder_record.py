"""The one reminder record: a (object, kind, due date) is sent once, whoever
asks and however often."""

import datetime
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from accountability import services as accountability_services
from partnerships import reminders
from partnerships.emails import send_email
from partnerships.models import Reminder

TODAY = datetime.date(2027, 3, 10)
ROOT = Path(__file__).resolve().parents[2]


def test_every_app_registers_its_reminders():
    assert set(reminders.registered()) >= {
        "responsibility",
        "mou",
        "referral",
        "directory",
    }


@pytest.mark.django_db
def test_the_database_refuses_a_second_record_of_the_same_reminder(cast):
    fields = {
        "content_type": ContentType.objects.get_for_model(cast.eastside),
        "object_id": cast.eastside.pk,
        "kind": "test.kind",
        "due_date": TODAY,
    }
    Reminder.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**fields)
    Reminder.objects.create(**{**fields, "due_date": TODAY + datetime.timedelta(1)})


def _mail_source(partnership, to):
    def source(today):
        return [
            reminders.Due(
                partnership,
                "test.nudge",
                today.replace(day=1),
                lambda: send_email(
                    "directory-stale",
                    to=[to],
                    context={"service": partnership},
                ),
            )
        ]

    return source


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setattr(reminders, "_sources", dict(reminders._sources))
    return reminders.register


@pytest.mark.django_db
def test_send_due_sends_each_reminder_once_per_due_date(
    cast, registered, django_capture_on_commit_callbacks
):
    registered("test", _mail_source(cast.eastside, cast.coordinator.email))
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_due(TODAY)
        second = reminders.send_due(TODAY + datetime.timedelta(days=5))
        next_month = reminders.send_due(TODAY + datetime.timedelta(days=31))
    assert first["test.nudge"] == 1
    assert "test.nudge" not in second
    assert next_month["test.nudge"] == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_failed_send_records_nothing_and_mails_nothing(
    cast, registered, django_capture_on_commit_callbacks
):
    def broken():
        send_email("directory-stale", to=["a@example.org"], context={})
        raise IntegrityError("the send failed half-way")

    registered("test", lambda today: [reminders.Due(cast.eastside, "t", TODAY, broken)])
    with django_capture_on_commit_callbacks(execute=True):
        assert "t" not in reminders.send_due(TODAY)
    assert not Reminder.objects.filter(kind="t").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_two_ticks_send_every_kind_once(cast):
    today = timezone.localdate()
    for title, days in [("Soon", 2), ("Late", -1), ("Very late", -30)]:
        accountability_services.responsibility_create(
            partnership=cast.eastside,
            by=cast.coordinator,
            title=title,
            owner=cast.riverside,
            due_date=today + datetime.timedelta(days=days),
        )
    first, second = io.StringIO(), io.StringIO()
    call_command("tick", stdout=first)
    call_command("tick", stdout=second)
    assert (
        "Reminders sent: 1 responsibility.due_soon, 2 responsibility.overdue, "
        "1 responsibility.escalated" in first.getvalue()
    )
    assert "Reminders sent: none" in second.getvalue()
    assert Reminder.objects.count() == 4


postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two real connections"
)


@postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_threads_racing_for_one_reminder_send_it_once(cast):
    inside, release = threading.Event(), threading.Event()
    sends = []

    def send():
        sends.append(1)
        inside.set()
        # Hold the uncommitted row while the other thread's insert waits on it.
        release.wait(timeout=10)

    due = reminders.Due(cast.eastside, "test.race", TODAY, send)
    start = threading.Barrier(2)
    results = []

    def run():
        try:
            start.wait(timeout=10)
            results.append(reminders.send_one(due))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    assert inside.wait(timeout=10)
    time.sleep(0.5)  # the loser is now blocked on the unique index
    release.set()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results) == [False, True]
    assert sends == [1]
    assert Reminder.objects.filter(kind="test.race").count() == 1


@postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tick_processes_at_once_send_each_reminder_once(cast):
    today = timezone.localdate()
    for number in range(40):
        accountability_services.responsibility_create(
            partnership=cast.eastside,
            by=cast.coordinator,
            title=f"Item {number}",
            owner=cast.riverside,
            due_date=today - datetime.timedelta(days=number % 3),
        )
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
    }
    ticks = [
        subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [sys.executable, "manage.py", "tick"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [tick.communicate(timeout=120) for tick in ticks]
    assert [tick.returncode for tick in ticks] == [0, 0], outputs
    sent = 0
    for out, _err in outputs:
        line = next(x for x in out.splitlines() if x.startswith("Reminders sent:"))
        for part in line.removeprefix("Reminders sent:").split(","):
            if part.strip() and part.strip() != "none":
                sent += int(part.split()[0])
    rows = Reminder.objects.filter(kind__startswith="responsibility.").count()
    # 14 due today (due soon) and 26 overdue, of which none are escalated yet.
    assert rows == 40
    assert sent == rows
