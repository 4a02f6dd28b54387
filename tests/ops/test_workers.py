"""Task workers that survive what kills `db_worker`: a worker killed mid-task, a
database error. The process tests run real `manage.py worker` processes and need
PostgreSQL (SQLite's test database lives in this process's memory)."""

import asyncio
import os
import signal
import subprocess
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.models import WorkerHeartbeat
from cms.workers import tasks_reclaim
from partnerships.tasks import deliver_email

from .helpers import PYTHON, ROOT, clean_env, production_values, write_env_file

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="worker processes share the test database only on PostgreSQL",
)


def enqueue_mail(to: str = "someone@example.org"):
    with override_settings(TASKS=DB_TASKS):
        return deliver_email.enqueue(
            subject="Hello", body="Body", html="", to=[to], reply_to=[]
        )


def left_running(result_id, *, by: str, minutes_ago: float) -> None:
    DBTaskResult.objects.filter(pk=result_id).update(
        status="RUNNING",
        worker_ids=[by],
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


@pytest.mark.django_db
@override_settings(WORKER_DEAD_AFTER=60)
def test_tasks_of_a_silent_worker_go_back_to_the_queue_and_a_live_ones_stay():
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="alive", hostname="h", pid=1, started_at=now, seen_at=now
    )
    WorkerHeartbeat.objects.create(
        worker_id="silent",
        hostname="h",
        pid=2,
        started_at=now,
        seen_at=now - timedelta(minutes=5),
    )
    orphan, busy, fresh = enqueue_mail(), enqueue_mail(), enqueue_mail()
    left_running(orphan.id, by="silent", minutes_ago=3)
    left_running(busy.id, by="alive", minutes_ago=30)
    # Claimed a moment ago: its worker may not have beaten yet.
    left_running(fresh.id, by="never-seen", minutes_ago=0.1)

    assert tasks_reclaim() == 1
    status = {str(pk): s for pk, s in DBTaskResult.objects.values_list("id", "status")}
    assert status[orphan.id] == "READY"
    assert status[busy.id] == "RUNNING"
    assert status[fresh.id] == "RUNNING"


class SlowInbox:
    """An SMTP server that holds the first message until released."""

    def __init__(self):
        self.received = []
        self.first_arrived = False
        self.release = False

    async def handle_DATA(self, server, session, envelope):
        if not self.first_arrived:
            self.first_arrived = True
            while not self.release:
                await asyncio.sleep(0.05)
        self.received.append(envelope.content)
        return "250 OK"


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return (
        f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


@pytest.fixture
def smtp_slow():
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    inbox.release = True
    controller.stop()


@pytest.fixture
def start_worker(tmp_path):
    processes = []

    def start(smtp_port: int) -> subprocess.Popen:
        values = production_values(
            tmp_path,
            DATABASE_URL=database_url(),
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            WORKER_HEARTBEAT_SECONDS="0.5",
            WORKER_DEAD_AFTER="3",
            DB_POOL_MAX="2",
        )
        env_file = write_env_file(tmp_path / "env", **values)
        process = subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", "worker", "--interval", "0.2"],
            cwd=ROOT,
            env=clean_env(ENV_FILE=str(env_file)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_is_killed_mid_send_is_sent_by_another(
    smtp_slow, start_worker
):
    workers = [start_worker(smtp_slow.port), start_worker(smtp_slow.port)]
    wait_for(lambda: WorkerHeartbeat.objects.count() == 2, 60, "two worker heartbeats")
    result = enqueue_mail()
    wait_for(lambda: smtp_slow.first_arrived, 20, "the first send to start")

    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "RUNNING"
    sender = WorkerHeartbeat.objects.get(worker_id=task.worker_ids[-1])
    victim = next(p for p in workers if p.pid == sender.pid)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    smtp_slow.release = True

    # The other worker notices the silence (3 s) and sends the mail itself.
    killed_at = time.monotonic()
    wait_for(
        lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL",
        15,
        "the task to be sent by the surviving worker",
    )
    assert time.monotonic() - killed_at < 10
    task = DBTaskResult.objects.get(pk=result.id)
    assert len(task.worker_ids) == 2 and task.worker_ids[0] == sender.worker_id
    assert smtp_slow.received
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()
