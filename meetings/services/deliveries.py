"""Sending one invitation e-mail, the one place that changes a Delivery's status:
queued or failed → sent, failed or withheld; sent and withheld are final.

The row stays locked while the message goes out, so a retry from `tick` and the
first attempt cannot both send it: the second waits, then finds it sent."""

from __future__ import annotations

from email import encoders
from email.mime.base import MIMEBase

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from ..models import Delivery, Invitee

Status = Delivery.Status

# Where each status may go next; a status missing here is final.
DELIVERY_MOVES: dict[str, set[str]] = {
    Status.QUEUED: {Status.SENT, Status.FAILED, Status.WITHHELD},
    Status.FAILED: {Status.SENT, Status.FAILED, Status.WITHHELD},
}
MAX_ATTEMPTS = 5


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
        _checked(delivery)
        delivery.attempts += 1
        try:
            invitation_message(delivery).send()
        except Exception as error:  # noqa: BLE001 - any SMTP or network failure
            _mark(delivery, Status.FAILED, error=str(error))
        else:
            _mark(delivery, Status.SENT)
        return delivery.status


def deliveries_retry(*, limit: int = 100) -> int:
    """Re-queue failed invitation e-mails (run by tick), up to five attempts."""
    from ..tasks import deliver_invitation

    count = 0
    for delivery in Delivery.objects.filter(
        status=Status.FAILED, attempts__lt=MAX_ATTEMPTS
    )[:limit]:
        deliver_invitation.enqueue(delivery_id=delivery.pk)
        count += 1
    return count
