"""tick clears finished task results and expired sessions after their retention."""

import io
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from partnerships.tasks import deliver_email

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def task(*, status: str, finished_days_ago: float | None):
    with override_settings(TASKS=DB_TASKS):
        result = deliver_email.enqueue(
            subject="s", body="a whole e-mail", html="", to=["a@x.org"], reply_to=[]
        )
    finished = (
        None
        if finished_days_ago is None
        else timezone.now() - timedelta(days=finished_days_ago)
    )
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, finished_at=finished
    )
    return str(result.id)


def session(*, expires_in: timedelta) -> str:
    store = SessionStore()
    store["user"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


@override_settings(TASK_RESULT_RETENTION_DAYS=14)
def test_tick_prunes_old_finished_tasks_and_expired_sessions_only():
    old_sent = task(status="SUCCESSFUL", finished_days_ago=15)
    old_failed = task(status="FAILED", finished_days_ago=20)
    recent = task(status="SUCCESSFUL", finished_days_ago=13)
    waiting = task(status="READY", finished_days_ago=None)
    expired = session(expires_in=-timedelta(minutes=1))
    live = session(expires_in=timedelta(days=1))

    out = io.StringIO()
    call_command("tick", stdout=out)

    assert "Pruned: 2 finished tasks, 1 expired sessions" in out.getvalue()
    left = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert left == {recent, waiting}
    assert old_sent not in left and old_failed not in left
    assert set(Session.objects.values_list("pk", flat=True)) == {live}
    assert expired != live
