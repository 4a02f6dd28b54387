from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task


@task()
def deliver_invitation(*, delivery_id: int) -> str:
    """Send one iTIP message (RFC 6047): text, HTML and text/calendar as
    alternatives, plus the same calendar as an invite.ics attachment. Failures
    are kept on the Delivery row for the coordinator and retried by tick."""
    from .models import Delivery

    delivery = Delivery.objects.select_related("series__partnership").get(
        pk=delivery_id
    )
    if delivery.status in (Delivery.Status.SENT, Delivery.Status.WITHHELD):
        return delivery.status
    reason = _withheld_because(delivery)
    if reason:
        delivery.status = Delivery.Status.WITHHELD
        delivery.last_error = reason
        delivery.save(update_fields=["status", "last_error"])
        return "withheld"
    method = delivery.method
    message = EmailMultiAlternatives(
        delivery.subject, delivery.body, to=[delivery.email]
    )
    if delivery.html:
        message.attach_alternative(delivery.html, "text/html")
    message.attach_alternative(
        delivery.calendar, f"text/calendar; method={method}; charset=utf-8"
    )
    message.attach("invite.ics", delivery.calendar, f"application/ics; method={method}")
    delivery.attempts += 1
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - any SMTP or network failure
        delivery.status = Delivery.Status.FAILED
        delivery.last_error = str(error)[:1000]
        delivery.save(update_fields=["status", "attempts", "last_error"])
        return "failed"
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return "sent"


def _withheld_because(delivery) -> str:
    """Access is decided when the invitation leaves, not when it was queued: the
    invitee must still be on the series and, if they are a workspace account,
    active and still able to see the partnership."""
    from .models import Invitee

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
