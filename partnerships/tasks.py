from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def deliver_email(
    *,
    subject: str,
    body: str,
    html: str,
    to: list[str],
    reply_to: list[str],
    partnership_id: int | None = None,
) -> int:
    """Send one rendered e-mail. Kept for tasks queued before the outbox
    (notifications.outbox) took over: new mail never comes this way."""
    if partnership_id is not None:
        # Access is decided when the mail leaves, not when it was queued.
        from .permissions import addresses_with_access

        to = addresses_with_access(partnership_id, to)
        if not to:
            return 0
    message = EmailMultiAlternatives(subject, body, to=to, reply_to=reply_to or None)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
