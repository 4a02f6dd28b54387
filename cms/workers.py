"""Task workers that outlive the database: heartbeats, and tasks a dead worker
left running put back in the queue.

django-tasks-db's `db_worker` exits on the first database error and records no
sign of life; `manage.py worker` runs its loop under `run_supervised` below."""

import contextlib
import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connections, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger("cms.workers")

# Reconnecting: first retry after BACKOFF_MIN seconds, doubling to BACKOFF_MAX, so
# a worker is back within BACKOFF_MAX seconds of the database.
BACKOFF_MIN = 0.25
BACKOFF_MAX = 2.0


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"


def worker_beat(*, worker_id: str, started_at: datetime, tasks_run: int) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
            "tasks_run": tasks_run,
        },
    )


def tasks_reclaim(*, now: datetime | None = None) -> int:
    """Put back in the queue the tasks whose worker has been silent for
    WORKER_DEAD_AFTER seconds (killed, its machine gone); return how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.WORKER_DEAD_AFTER)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list(
            "worker_id", flat=True
        )
    )
    with transaction.atomic():
        running = (
            DBTaskResult.objects.running()
            .filter(started_at__lt=cutoff)
            .select_for_update(skip_locked=True)
            .only("id", "worker_ids")
        )
        orphans = [
            task.pk
            for task in running
            if not task.worker_ids or task.worker_ids[-1] not in alive
        ]
        if orphans:
            DBTaskResult.objects.filter(pk__in=orphans).update(
                status=TaskResultStatus.READY
            )
    if orphans:
        logger.warning("Requeued %d task(s) left running by dead workers", len(orphans))
    return len(orphans)


def tasks_requeue_own(*, worker_id: str) -> int:
    """After an error escaped the loop this worker runs nothing, so any task still
    RUNNING under its id was interrupted: queue it again."""
    mine = [
        task.pk
        for task in DBTaskResult.objects.running().only("id", "worker_ids")
        if task.worker_ids and task.worker_ids[-1] == worker_id
    ]
    if mine:
        DBTaskResult.objects.filter(
            pk__in=mine, status=TaskResultStatus.RUNNING
        ).update(status=TaskResultStatus.READY)
        logger.warning("Requeued %d interrupted task(s)", len(mine))
    return len(mine)


def heartbeats_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _ = WorkerHeartbeat.objects.filter(
        seen_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


class SupervisedWorker(Worker):
    """django-tasks-db's worker, patient with a repeated stop signal."""

    first_signal_at: float | None = None

    def shutdown(self, signum, frame) -> None:
        # honcho signals the whole process group and bin/worker forwards the same
        # signal: a repeat within two seconds is the same request, not an
        # insistence that the task in progress be cut short.
        now = time.monotonic()
        if self.first_signal_at is not None and now - self.first_signal_at < 2:
            return
        self.first_signal_at = self.first_signal_at or now
        super().shutdown(signum, frame)


class Heartbeat(threading.Thread):
    """Beats every WORKER_HEARTBEAT_SECONDS from its own thread (and connection),
    so a long task does not make its worker look dead; reclaims dead workers'
    tasks now and then."""

    def __init__(self, worker: Worker, started_at: datetime):
        super().__init__(name="heartbeat", daemon=True)
        self.worker = worker
        self.started_at = started_at
        self.stopped = threading.Event()

    def run(self) -> None:
        next_reclaim = 0.0
        failing = False
        while True:
            try:
                worker_beat(
                    worker_id=self.worker.worker_id,
                    started_at=self.started_at,
                    tasks_run=self.worker._run_tasks,
                )
                if time.monotonic() >= next_reclaim:
                    tasks_reclaim()
                    next_reclaim = time.monotonic() + settings.WORKER_DEAD_AFTER / 2
                if failing:
                    logger.warning("Heartbeat recorded again")
                failing = False
            except Exception:
                if not failing:
                    logger.warning("Heartbeat failed; retrying", exc_info=True)
                failing = True
            finally:
                connections.close_all()
            if self.stopped.wait(settings.WORKER_HEARTBEAT_SECONDS):
                return


def run_supervised(worker: Worker) -> None:
    """Run the worker's loop until it stops of its own accord or by a signal;
    after a database error, reconnect with backoff and carry on."""
    heartbeat = Heartbeat(worker, started_at=timezone.now())
    heartbeat.start()
    backoff = BACKOFF_MIN
    try:
        while worker.running:
            began = time.monotonic()
            try:
                tasks_requeue_own(worker_id=worker.worker_id)
                worker.run()
                return
            except (DatabaseError, InterfaceError) as error:
                if time.monotonic() - began > 30:
                    backoff = BACKOFF_MIN
                logger.warning(
                    "Database error (%s); reconnecting in %.2f s", error, backoff
                )
                _close_connections()
                time.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
    finally:
        heartbeat.stopped.set()
        heartbeat.join(timeout=5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=worker.worker_id).delete()
        except Exception:  # leaving on a database error: the row ages out
            logger.info("Could not remove this worker's heartbeat", exc_info=True)


def _close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        # A broken connection may refuse to close cleanly; Django forgets it anyway.
        with contextlib.suppress(Exception):
            conn.close()
