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

import logging
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
from django.db import IntegrityError, models, transaction
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
    returns its status afterwards."""
    now = timezone.now()
    with transaction.atomic():
        mail = (
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk=mail_id, status=Status.QUEUED)
            .first()
        )
        if mail is None:
            return "skipped"  # sent, withheld, or being sent by another worker
        if mail.next_attempt_at > now + timedelta(seconds=1):
            return "not due"  # its retry is scheduled for later
        if mail.partnership_id and not _has_access(mail):
            mail.status = Status.WITHHELD
            mail.save(update_fields=["status"])
            return mail.status
        mail.attempts += 1
        try:
            message_for(mail).send()
        except Exception as error:  # noqa: BLE001 - any SMTP or network failure
            _refused(mail, error, now)
        else:
            mail.status = Status.SENT
            mail.sent_at = timezone.now()
            mail.last_error = ""
            mail.save(update_fields=["status", "sent_at", "attempts", "last_error"])
            _reminder_sent(mail)
        return mail.status


def _reminder_sent(mail: OutgoingMail) -> None:
    """A reminder's time is when its mail left, not when it was queued."""
    if not mail.key.startswith("reminder:"):
        return
    from partnerships.models import Reminder

    reminder_id = mail.key.split(":")[1]
    Reminder.objects.filter(pk=reminder_id).update(sent_at=mail.sent_at)


def _refused(mail: OutgoingMail, error: Exception, now: datetime) -> None:
    mail.last_error = f"{type(error).__name__}: {error}"[:1000]
    if now - mail.created_at >= timedelta(hours=settings.OUTBOX_GIVE_UP_HOURS):
        mail.status = Status.FAILED
        logger.error("Gave up on mail %s to %s: %s", mail.pk, mail.recipient, error)
    else:
        mail.next_attempt_at = now + retry_delay(mail.attempts)
        transaction.on_commit(partial(_enqueue, mail.pk, mail.next_attempt_at))
        logger.warning("Mail %s refused (%s); retry at %s", mail.pk, error, now)
    mail.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])


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
    cutoff = (now or timezone.now()) - timedelta(seconds=60)
    ids = list(
        OutgoingMail.objects.filter(status=Status.QUEUED, next_attempt_at__lt=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for mail_id in ids:
        _enqueue(mail_id)
    return len(ids)


def backlog(*, now: datetime | None = None) -> tuple[int, timedelta | None]:
    """How many messages wait to be sent and how long the oldest has waited."""
    waiting = OutgoingMail.objects.filter(status=Status.QUEUED)
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
