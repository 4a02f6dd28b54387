"""Health endpoints for load balancers and monitoring.

`/healthz/` (liveness): the process answers; nothing else is asked, so a database
outage never makes a load balancer kill healthy web processes.
`/readyz/` (readiness): every check in `settings.READY_CHECKS`; 200 when all pass,
503 naming each failing one. Both answer plain HTTP with any Host header: the
middleware that serves them runs before the HTTPS redirect and the ALLOWED_HOSTS
check, because a load balancer probes by IP address and without TLS.
"""

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.staticfiles.storage import (
    ManifestFilesMixin,
    staticfiles_storage,
)
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string

from .models import WorkerHeartbeat


def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def check_cache() -> str | None:
    key = "readyz:probe"
    value = str(time.monotonic())
    cache.set(key, value, 30)
    if cache.get(key) != value:
        return "a value written to the cache did not come back"
    return None


def check_static_manifest() -> str | None:
    """Without the manifest every page that links a stylesheet answers 500."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return None
    if staticfiles_storage.read_manifest() is None:
        return "no staticfiles manifest: run `manage.py collectstatic`"
    return None


def _uses_db_worker() -> bool:
    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db.")


def check_workers() -> str | None:
    if not _uses_db_worker():
        return None
    newest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if newest is None:
        return "no task worker has ever reported"
    age = (timezone.now() - newest.seen_at).total_seconds()
    if age > settings.WORKER_DEAD_AFTER:
        return (
            f"no task worker alive: the last heartbeat is {age:.0f} s old "
            f"(limit {settings.WORKER_DEAD_AFTER:.0f} s)"
        )
    return None


def check_task_backlog() -> str | None:
    if not _uses_db_worker():
        return None
    from django_tasks_db.models import DBTaskResult

    limit = timedelta(seconds=settings.TASK_BACKLOG_MAX_AGE)
    oldest = (
        DBTaskResult.objects.ready()
        .order_by("enqueued_at")
        .values_list("enqueued_at", "run_after")
        .first()
    )
    if oldest is None:
        return None
    # A task scheduled for later waits from its run_after, not its enqueueing.
    enqueued_at, run_after = oldest
    since = enqueued_at if run_after.year == 9999 else max(enqueued_at, run_after)
    waited = timezone.now() - since
    if waited > limit:
        return (
            f"the oldest queued task has waited {waited.total_seconds():.0f} s "
            f"(limit {settings.TASK_BACKLOG_MAX_AGE} s)"
        )
    return None


def check_outbox_backlog() -> str | None:
    """Mail waiting in the outbox (and meeting invitations, kept with their
    calendars): fails when the oldest message has waited longer than
    OUTBOX_BACKLOG_MAX_AGE (SMTP down, no worker sending)."""
    from meetings.services.deliveries import backlog as invitations_backlog
    from notifications.outbox import backlog

    count, waited = backlog()
    invitations, invitations_waited = invitations_backlog()
    count += invitations
    waited = max(filter(None, [waited, invitations_waited]), default=None)
    if waited is None:
        return None
    if waited.total_seconds() > settings.OUTBOX_BACKLOG_MAX_AGE:
        return (
            f"{count} message{'s' if count != 1 else ''} waiting; the oldest has "
            f"waited {waited.total_seconds():.0f} s "
            f"(limit {settings.OUTBOX_BACKLOG_MAX_AGE} s)"
        )
    return Passing(f"ok ({count} waiting, the oldest {waited.total_seconds():.0f} s)")


class Passing(str):
    """A check that passes with something to say (how much mail is waiting)."""


# Checks that need no database still run when it is down; the others would only
# wait out the connection timeout again.
check_cache.needs_database = False
check_static_manifest.needs_database = False


def _name(path: str) -> str:
    return path.rsplit(".", 1)[-1].removeprefix("check_").replace("_", " ")


def readiness() -> list[tuple[str, str | None]]:
    """(check, problem or None) for every configured check, in order."""
    results = []
    database_down = False
    for path in settings.READY_CHECKS:
        check: Callable[[], str | None] = import_string(path)
        if database_down and getattr(check, "needs_database", True):
            results.append((_name(path), "not checked: the database is unreachable"))
            continue
        try:
            problem = check()
        except DatabaseError as error:
            database_down = True
            problem = f"{type(error).__name__}: {error}".strip()
        except Exception as error:  # a check that raises has failed
            problem = f"{type(error).__name__}: {error}".strip()
        results.append((_name(path), problem))
    return results


def _plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain")
    add_never_cache_headers(response)
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers."""
    return _plain("ok")


def readyz(request: HttpRequest) -> HttpResponse:
    results = readiness()
    failing = [
        name
        for name, problem in results
        if problem and not isinstance(problem, Passing)
    ]
    lines = [f"{name}: {problem or 'ok'}" for name, problem in results]
    head = f"not ready: {', '.join(failing)}" if failing else "ready"
    return _plain("\n".join([head, *lines]) + "\n", status=503 if failing else 200)


ENDPOINTS = {"/healthz/": healthz, "/readyz/": readyz}


class HealthCheckMiddleware:
    """Answers the health endpoints before any other middleware looks at the
    request (HTTPS redirect, host validation, sessions, the access rules)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ENDPOINTS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
