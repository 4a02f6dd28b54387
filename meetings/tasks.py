from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task


@task()
def deliver_invitation(*, delivery_id: int) -> str:
    """Send one iTIP message (RFC 6047): text, HTML and text/calendar as
    alternatives, plus the same calendar as an invite.ics attachment. Failures
    are kept on the Delivery row for the coordinator and retried by tick."""
    from .models import Delivery

    delivery = Delivery.objects.select_related("series").get(pk=delivery_id)
    if delivery.status == Delivery.Status.SENT:
        return "already sent"
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
