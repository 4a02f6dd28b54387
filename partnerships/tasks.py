from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def deliver_email(
    *, subject: str, body: str, html: str, to: list[str], reply_to: list[str]
) -> int:
    """Send one rendered e-mail; runs in the worker so a slow SMTP server never
    holds up a page. A failure raises, leaving the task marked failed."""
    message = EmailMultiAlternatives(subject, body, to=to, reply_to=reply_to or None)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
