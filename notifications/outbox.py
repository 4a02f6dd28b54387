"""The outbox: every e-mail the workspace sends is an `OutgoingMail` row first.

`mail_queue` writes the rows inside the caller's transaction, so a message
exists exactly when its event does, and asks a task worker to send them once the
transaction commits. `mail_send` claims one row (a row lock; on PostgreSQL
`SKIP LOCKED`, so a second worker passes it by instead of waiting), sends it and
marks it sent in the same transaction: a worker killed mid-send leaves the row
queued and another sends it. A refused send is retried with a doubling delay for
`OUTBOX_GIVE_UP_HOURS`, then shown to hub staff as failed. `outbox_sweep` (run by
tick) sends whatever a lost task left behind.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    connection,
    connections,
    models,
    transaction,
)
from django.db.models.functions import Lower
from django.utils import timezone

from .kinds import BY_KEY
from .models import NotificationPreference, OutgoingMail

logger = logging.getLogger("notifications.outbox")
Status = OutgoingMail.Status
Choice = NotificationPreference.Choice


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th refused send: doubling from
    OUTBOX_RETRY_BASE seconds up to OUTBOX_RETRY_MAX."""
    base = settings.OUTBOX_RETRY_BASE
    return timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX)
    )


def _people(addresses: Iterable[str]) -> dict[str, models.Model]:
    wanted = {address.lower() for address in addresses}
    return {
        person.address: person
        for person in get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(address__in=wanted, is_active=True)
        .order_by("pk")
    }


def choices_for(users: Iterable, kind: str) -> dict[int, str]:
    """Each person's choice for `kind` (immediately when they never said)."""
    ids = [user.pk for user in users]
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "choice"
        )
    )
    return {pk: chosen.get(pk, Choice.IMMEDIATELY) for pk in ids}


def mail_queue(
    *,
    event: str,
    kind: str,
    recipients: list[str],
    subject: str,
    body: str,
    html: str = "",
    reply_to: list[str] | None = None,
    partnership=None,
    about: models.Model | None = None,
    key: str | None = None,
    link: str = "",
) -> list[OutgoingMail]:
    """One row per recipient in the current transaction, sent after it commits.

    A notification kind follows each person's choice: held for the digest, or
    not written at all when they turned it off. With `key`, a message already
    queued under `key` for that recipient is not queued again."""
    people = _people(recipients)
    choices = choices_for(people.values(), kind) if kind in BY_KEY else {}
    content_type = ContentType.objects.get_for_model(about) if about else None
    batch = uuid.uuid4().hex
    rows = []
    for address in recipients:
        person = people.get(address.lower())
        choice = choices.get(person.pk, Choice.IMMEDIATELY) if person else None
        if choice == Choice.OFF:
            continue
        row = OutgoingMail(
            recipient=address,
            user=person,
            kind=kind,
            event=event,
            content_type=content_type,
            object_id=about.pk if about else None,
            partnership=partnership,
            key=f"{key or batch}:{address.lower()}"[:200],
            subject=subject[:300],
            body=body,
            html=html,
            reply_to=reply_to or [],
            link=link[:500],
            status=Status.HELD if choice == Choice.DIGEST else Status.QUEUED,
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue  # already queued under this key
        rows.append(row)
    for row in rows:
        if row.status == Status.QUEUED:
            transaction.on_commit(partial(_enqueue, row.pk))
    return rows


def _enqueue(mail_id: int, run_after: datetime | None = None) -> None:
    from .tasks import send_outgoing

    task = send_outgoing
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the sweep in tick picks it up when it is due
        task = task.using(run_after=run_after)
    task.enqueue(mail_id=mail_id)


def message_for(mail: OutgoingMail) -> EmailMultiAlternatives:
    # A Message-ID of our own: the same message always carries the same one, so a
    # mail server or reader can tell a resend apart from a new message.
    domain = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
    message = EmailMultiAlternatives(
        mail.subject,
        mail.body,
        to=[mail.recipient],
        reply_to=mail.reply_to or None,
        headers={"Message-ID": f"<outbox.{mail.pk}@{domain}>"},
    )
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    return message


def _has_access(mail: OutgoingMail) -> bool:
    # Access is decided when the mail leaves, not when it was queued.
    from partnerships.permissions import addresses_with_access

    return bool(addresses_with_access(mail.partnership_id, [mail.recipient]))


def mail_send(*, mail_id: int) -> str:
    """Send one queued message unless another worker holds it or it is not due;
    returns its status afterwards.

    Three steps: claim the row (committed, so the claim outlives a database
    restart), send, record the outcome, retrying that write until the database
    answers again: a message the SMTP server accepted is recorded as sent even
    when the database restarted meanwhile. A claim whose worker died goes stale
    after OUTBOX_SENDING_TIMEOUT and the message is sent again."""
    now = timezone.now()
    timeout = timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)
    with transaction.atomic():
        mail = (
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk=mail_id, status__in=[Status.QUEUED, Status.SENDING])
            .first()
        )
        if mail is None:
            return "skipped"  # sent, withheld, or being claimed by another worker
        if mail.status == Status.SENDING and mail.claimed_at + timeout > now:
            # Another worker is sending it; look again once its claim is stale.
            transaction.on_commit(partial(_enqueue, mail.pk, mail.claimed_at + timeout))
            return "being sent"
        due = mail.next_attempt_at <= now + timedelta(seconds=1)
        if mail.status == Status.QUEUED and not due:
            return "not due"  # its retry is scheduled for later
        if mail.partnership_id and not _has_access(mail):
            mail.status = Status.WITHHELD
            mail.save(update_fields=["status"])
            return mail.status
        mail.status = Status.SENDING
        mail.claimed_at = now
        mail.attempts += 1
        mail.save(update_fields=["status", "claimed_at", "attempts"])
    try:
        message_for(mail).send()
    except Exception as error:  # noqa: BLE001 - any SMTP or network failure
        _persist(partial(_refused, mail, error, timezone.now()))
    else:
        mail.sent_at = timezone.now()
        _persist(partial(_sent, mail))
    return mail.status


def _claimed(mail: OutgoingMail):
    # Only the claim this worker holds: a stale claim taken over is not ours.
    return OutgoingMail.objects.filter(
        pk=mail.pk, status=Status.SENDING, claimed_at=mail.claimed_at
    )


def _sent(mail: OutgoingMail) -> None:
    mail.status = Status.SENT
    _claimed(mail).update(status=Status.SENT, sent_at=mail.sent_at, last_error="")
    _reminder_sent(mail)


def _refused(mail: OutgoingMail, error: Exception, now: datetime) -> None:
    mail.last_error = f"{type(error).__name__}: {error}"[:1000]
    if now - mail.created_at >= timedelta(hours=settings.OUTBOX_GIVE_UP_HOURS):
        mail.status = Status.FAILED
        logger.error("Gave up on mail %s to %s: %s", mail.pk, mail.recipient, error)
    else:
        mail.status = Status.QUEUED
        mail.next_attempt_at = now + retry_delay(mail.attempts)
        transaction.on_commit(partial(_enqueue, mail.pk, mail.next_attempt_at))
        logger.warning("Mail %s refused (%s); retry at %s", mail.pk, error, now)
    _claimed(mail).update(
        status=mail.status,
        last_error=mail.last_error,
        next_attempt_at=mail.next_attempt_at,
    )


def _persist(write, *, patience: float = 60) -> None:
    """Run `write` in a transaction, again and again while the database is
    unreachable (a restart, a failover), for up to `patience` seconds."""
    deadline = time.monotonic() + patience
    delay = 0.25
    while True:
        try:
            with transaction.atomic():
                write()
            return
        except (DatabaseError, InterfaceError):
            if time.monotonic() > deadline or connection.in_atomic_block:
                raise
            logger.warning("Database unreachable; recording the outcome again")
            for conn in connections.all(initialized_only=True):
                with contextlib.suppress(Exception):
                    conn.close()
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def _reminder_sent(mail: OutgoingMail) -> None:
    """A reminder's time is when its mail left, not when it was queued."""
    if not mail.key.startswith("reminder:"):
        return
    from partnerships.models import Reminder

    reminder_id = mail.key.split(":")[1]
    Reminder.objects.filter(pk=reminder_id).update(sent_at=mail.sent_at)


@transaction.atomic
def mail_retry(*, mail: OutgoingMail, by) -> OutgoingMail:
    """Hub staff send a failed message again: it is queued afresh."""
    from wagtail.log_actions import log

    mail = OutgoingMail.objects.select_for_update().get(pk=mail.pk)
    if mail.status != Status.FAILED:
        raise ValidationError(
            f"Only failed mail can be retried; this one is "
            f"{mail.get_status_display().lower()}."
        )
    mail.status = Status.QUEUED
    mail.next_attempt_at = timezone.now()
    mail.created_at = timezone.now()  # a fresh retry window
    mail.save(update_fields=["status", "next_attempt_at", "created_at"])
    log(mail, "notifications.retry", user=by, data={"recipient": mail.recipient})
    transaction.on_commit(partial(_enqueue, mail.pk))
    return mail


def outbox_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Ask a worker again for queued mail overdue by a minute: its task was lost
    (the process died between commit and enqueue, or the queue was cleared)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=60)
    stale = now - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT + 60)
    ids = list(
        OutgoingMail.objects.filter(
            models.Q(status=Status.QUEUED, next_attempt_at__lt=cutoff)
            | models.Q(status=Status.SENDING, claimed_at__lt=stale)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for mail_id in ids:
        _enqueue(mail_id)
    return len(ids)


def backlog(*, now: datetime | None = None) -> tuple[int, timedelta | None]:
    """How many messages wait to be sent and how long the oldest has waited."""
    waiting = OutgoingMail.objects.filter(status__in=[Status.QUEUED, Status.SENDING])
    count = waiting.count()
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True)
    first = oldest.first()
    return count, ((now or timezone.now()) - first) if first else None


def outbox_prune(*, older_than: timedelta) -> int:
    """Mail that left (or never will) past its retention: each holds a body."""
    deleted, _ = OutgoingMail.objects.filter(
        status__in=[Status.SENT, Status.WITHHELD, Status.DIGESTED],
        created_at__lt=timezone.now() - older_than,
    ).delete()
    return deleted
