from django_tasks import task


@task()
def send_outgoing(*, mail_id: int) -> str:
    """Send one outbox message (see notifications.outbox.mail_send)."""
    from .outbox import mail_send

    return mail_send(mail_id=mail_id)
