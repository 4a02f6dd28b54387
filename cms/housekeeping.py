"""What `manage.py tick` clears away so tables do not grow without limit."""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from notifications.outbox import outbox_prune

from .workers import heartbeats_prune


def task_results_prune(*, older_than: timedelta) -> int:
    """Finished (successful or failed) task results: each holds a whole e-mail."""
    from django_tasks_db.models import DBTaskResult

    deleted, _ = (
        DBTaskResult.objects.finished()
        .filter(finished_at__lt=timezone.now() - older_than)
        .delete()
    )
    return deleted


def sessions_prune() -> int:
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        from django.contrib.sessions.models import Session

        deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        return deleted
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return 0


def prune() -> dict[str, int]:
    """Everything past its retention (TASK_RESULT_RETENTION_DAYS for task
    results, OUTBOX_RETENTION_DAYS for mail that left); counts by kind."""
    return {
        "finished tasks": task_results_prune(
            older_than=timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
        ),
        "expired sessions": sessions_prune(),
        "old worker heartbeats": heartbeats_prune(),
        "old outgoing mail": outbox_prune(
            older_than=timedelta(days=settings.OUTBOX_RETENTION_DAYS)
        ),
    }
