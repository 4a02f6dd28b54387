"""Sending one invitation e-mail, the one place that changes a Delivery's status:
queued or failed → sent, failed or withheld; sent and withheld are final.

The row stays locked while the message goes out, so a retry from `tick` and the
first attempt cannot both send it: the second waits, then finds it sent.

One REQUEST per invitee per change: when several changes follow each other
(ten invitees added one after another each re-send the attendee list to
everyone), an invitee gets only the newest REQUEST, which carries the whole
series at its highest SEQUENCE; the older ones are withheld as replaced. A queued
REQUEST waits SETTLE_SECONDS after it was written for such a burst to end (when
the task queue can run a task later). Failed sends are retried by tick with a
growing delay until OUTBOX_GIVE_UP_HOURS have passed, like all other mail."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import encoders
from email.mime.base import MIMEBase
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import models, transaction
from django.utils import timezone

from ..models import Delivery, Invitee

Status = Delivery.Status

# Where each status may go next; a status missing here is final.
DELIVERY_MOVES: dict[str, set[str]] = {
    Status.QUEUED: {Status.SENT, Status.FAILED, Status.WITHHELD},
    Status.FAILED: {Status.SENT, Status.FAILED, Status.WITHHELD},
}
SETTLE_SECONDS = 3
REPLACED = "Replaced by a later invitation to the same series, sent instead."


def _mark(delivery: Delivery, status: str, *, error: str = "") -> None:
    """Move a locked delivery to `status`, refusing a move the table forbids."""
    if status not in DELIVERY_MOVES.get(delivery.status, set()):
        raise ValidationError(
            f"This invitation is {delivery.get_status_display().lower()}; "
            f"it cannot become {Status(status).label.lower()}."
        )
    delivery.status = status
    delivery.last_error = error[:1000]
    fields = ["status", "attempts", "last_error"]
    if status == Status.SENT:
        delivery.sent_at = timezone.now()
        fields.append("sent_at")
    delivery.save(update_fields=fields)


def withheld_because(delivery: Delivery) -> str:
    """Access is decided when the invitation leaves, not when it was queued: the
    invitee must still be on the series and, if they are a workspace account,
    active and still able to see the partnership."""
    invitee = (
        Invitee.objects.select_related("user")
        .filter(series=delivery.series, email__iexact=delivery.email)
        .first()
    )
    if invitee is None:
        return "Not on this series' invitation list any more."
    if invitee.removed_at is not None:
        # The one message a removed invitee still gets: the CANCEL taking the
        # series out of their calendar (it tells them nothing new).
        if delivery.method == "CANCEL" and invitee.removed_at <= delivery.created_at:
            return ""
        return "Removed from the series before this was sent."
    if not invitee.may_take_part(delivery.series.partnership):
        return "Their account is deactivated or can no longer see the partnership."
    return ""


def invitation_message(delivery: Delivery) -> EmailMessage:
    """The iMIP message (RFC 6047): text, HTML and the calendar as alternatives,
    and the same calendar again as an invite.ics attachment, both typed
    text/calendar with the iTIP method and one charset, as Outlook expects."""
    method = delivery.method
    message = EmailMultiAlternatives(
        delivery.subject, delivery.body, to=[delivery.email]
    )
    if delivery.html:
        message.attach_alternative(delivery.html, "text/html")
    # Django adds the charset itself; naming it here too would say it twice.
    message.attach_alternative(delivery.calendar, f"text/calendar; method={method}")
    attachment = MIMEBase(
        "text", "calendar", method=method, name="invite.ics", charset="utf-8"
    )
    attachment.set_payload(delivery.calendar.encode())
    encoders.encode_base64(attachment)
    attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
    message.attach(attachment)
    return message


def _checked(delivery: Delivery) -> None:
    """Called between the status check and the send. Does nothing: it is the seam
    where the concurrency test holds one sender to let the other catch up."""


def replaced(delivery: Delivery) -> bool:
    """A later REQUEST to the same person for the same series is on its way or
    gone: it says everything this one says, so this one need not leave."""
    if delivery.method != "REQUEST":
        return False
    return Delivery.objects.filter(
        series_id=delivery.series_id,
        email__iexact=delivery.email,
        method="REQUEST",
        pk__gt=delivery.pk,
        status__in=[Status.QUEUED, Status.SENT, Status.FAILED],
    ).exists()


def _settling(delivery: Delivery, now: datetime) -> bool:
    """Wait a moment before sending a fresh REQUEST, so a burst of changes ends
    in one message; only when the queue can run the task again later."""
    from ..tasks import deliver_invitation

    ready_at = delivery.created_at + timedelta(seconds=SETTLE_SECONDS)
    if delivery.method != "REQUEST" or delivery.attempts or now >= ready_at:
        return False
    if not deliver_invitation.get_backend().supports_defer:
        return False
    transaction.on_commit(
        partial(
            deliver_invitation.using(run_after=ready_at).enqueue,
            delivery_id=delivery.pk,
        )
    )
    return True


def delivery_send(*, delivery_id: int) -> str:
    """Send one queued or failed invitation; returns the status it ends in."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("series__partnership")
            .get(pk=delivery_id)
        )
        if delivery.status not in DELIVERY_MOVES:
            return delivery.status  # already sent or withheld: nothing to do
        reason = withheld_because(delivery)
        if reason:
            _mark(delivery, Status.WITHHELD, error=reason)
            return delivery.status
        if replaced(delivery):
            _mark(delivery, Status.WITHHELD, error=REPLACED)
            return delivery.status
        if _settling(delivery, timezone.now()):
            return delivery.status
        _checked(delivery)
        delivery.attempts += 1
        try:
            invitation_message(delivery).send()
        except Exception as error:  # noqa: BLE001 - any SMTP or network failure
            _mark(delivery, Status.FAILED, error=str(error))
        else:
            _mark(delivery, Status.SENT)
        return delivery.status


def retry_due_at(delivery: Delivery) -> datetime:
    """When a failed invitation may be tried again: at the next tick after the
    first failure, then after 5, 10, 20 … minutes (at most an hour) more."""
    waited = sum(
        min(300 * 2 ** (attempt - 2), 3600)
        for attempt in range(2, delivery.attempts + 1)
    )
    return delivery.created_at + timedelta(seconds=waited)


def deliveries_retry(*, limit: int = 100, now: datetime | None = None) -> int:
    """Re-queue (run by tick) failed invitation e-mails that are due, for
    OUTBOX_GIVE_UP_HOURS after they were written, and queued ones whose send was
    interrupted (a worker killed, a task lost) ten minutes ago or more."""
    from ..tasks import deliver_invitation

    now = now or timezone.now()
    window = now - timedelta(hours=settings.OUTBOX_GIVE_UP_HOURS)
    stuck = now - timedelta(minutes=10)
    candidates = Delivery.objects.filter(created_at__gte=window).filter(
        models.Q(status=Status.FAILED)
        | models.Q(status=Status.QUEUED, created_at__lt=stuck)
    )
    count = 0
    for delivery in candidates.order_by("created_at")[: limit * 5]:
        if delivery.status == Status.FAILED and retry_due_at(delivery) > now:
            continue
        deliver_invitation.enqueue(delivery_id=delivery.pk)
        count += 1
        if count >= limit:
            break
    return count


def backlog(*, now: datetime | None = None) -> tuple[int, timedelta | None]:
    """Invitations waiting to leave (queued, or failed and still retried) and
    how long the oldest has waited, for /readyz/."""
    now = now or timezone.now()
    waiting = Delivery.objects.filter(
        status__in=[Status.QUEUED, Status.FAILED],
        created_at__gte=now - timedelta(hours=settings.OUTBOX_GIVE_UP_HOURS),
    )
    first = waiting.order_by("created_at").values_list("created_at", flat=True)
    oldest = first.first()
    return waiting.count(), (now - oldest) if oldest else None
