"""/healthz/ and /readyz/ as a load balancer and an operator see them."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.models import WorkerHeartbeat
from notifications.models import OutgoingMail
from notifications.outbox import mail_queue
from partnerships.tasks import deliver_email

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# What production enforces: HTTPS only, and one host name.
STRICT = {
    "SECURE_SSL_REDIRECT": True,
    "ALLOWED_HOSTS": ["partners.example.org"],
    "TASKS": DB_TASKS,
}


def beat(age_seconds: float, worker_id: str = "web-1-abc") -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": "web-1",
            "pid": 4242,
            "started_at": now - timedelta(hours=1),
            "seen_at": now - timedelta(seconds=age_seconds),
        },
    )


@override_settings(**STRICT)
def test_a_load_balancer_probing_by_ip_over_plain_http_is_answered(client):
    beat(1)
    assert client.get("/", HTTP_HOST="10.0.0.7").status_code == 400
    assert client.get("/", HTTP_HOST="partners.example.org").status_code == 301

    live = client.get("/healthz/", HTTP_HOST="10.0.0.7")
    ready = client.get("/readyz/", HTTP_HOST="10.0.0.7")
    assert (live.status_code, live.text) == (200, "ok")
    assert ready.status_code == 200, ready.text
    assert ready.text.splitlines() == [
        "ready",
        "database: ok",
        "cache: ok",
        "static manifest: ok",
        "workers: ok",
        "task backlog: ok",
        "outbox backlog: ok",
    ]
    assert "no-cache" in ready["Cache-Control"]


@override_settings(**STRICT, WORKER_DEAD_AFTER=60)
def test_readyz_names_the_worker_when_every_worker_is_silent(client):
    response = client.get("/readyz/", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert response.text.splitlines()[0] == "not ready: workers"
    assert "workers: no task worker has ever reported" in response.text

    beat(95)
    response = client.get("/readyz/", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert "the last heartbeat is 95 s old (limit 60 s)" in response.text

    beat(3, worker_id="web-2-def")
    assert client.get("/readyz/", HTTP_HOST="10.0.0.7").status_code == 200


@override_settings(**STRICT, TASK_BACKLOG_MAX_AGE=300)
def test_readyz_names_the_backlog_when_queued_work_waits_too_long(client):
    beat(1)
    result = deliver_email.enqueue(
        subject="s", body="b", html="", to=["a@example.org"], reply_to=[]
    )
    assert client.get("/readyz/", HTTP_HOST="10.0.0.7").status_code == 200

    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(seconds=400)
    )
    response = client.get("/readyz/", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert response.text.splitlines()[0] == "not ready: task backlog"
    assert "has waited 400 s (limit 300 s)" in response.text


@override_settings(**STRICT, OUTBOX_BACKLOG_MAX_AGE=600)
def test_readyz_counts_the_outbox_and_names_it_when_mail_waits_too_long(client):
    beat(1)
    # Queued outside a transaction that commits here: no worker sends them.
    mail_queue(
        event="directory-stale",
        kind="directory",
        recipients=["a@example.org", "b@example.org"],
        subject="Check your entry",
        body="b",
    )
    response = client.get("/readyz/", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert "outbox backlog: ok (2 waiting, the oldest 0 s)" in response.text

    OutgoingMail.objects.filter(recipient="a@example.org").update(
        created_at=timezone.now() - timedelta(seconds=700)
    )
    response = client.get("/readyz/", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert response.text.splitlines()[0] == "not ready: outbox backlog"
    assert (
        "outbox backlog: 2 messages waiting; the oldest has waited 700 s "
        "(limit 600 s)" in response.text
    )

    OutgoingMail.objects.update(status=OutgoingMail.Status.SENT)
    assert client.get("/readyz/", HTTP_HOST="10.0.0.7").status_code == 200


def test_readyz_names_a_missing_static_manifest(client, settings, tmp_path):
    for name, value in STRICT.items():
        setattr(settings, name, value)
    beat(1)
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    response = client.get("/readyz/", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert "static manifest: no staticfiles manifest" in response.text
