"""The one e-mail helper: every notification is rendered from
templates/emails/<event>-{subject.txt,body.txt,body.html} and written to the
outbox (notifications.outbox) in the caller's transaction; a task worker sends it
after the transaction commits, and retries it until it leaves.

Mail about a partnership names it (`partnership=`): the worker then asks the
access policy again when it sends, so someone who lost access between the event
and the delivery (their organisation left, their account was deactivated) gets
nothing.

The outbox is the mail layer beneath every app, partnerships included: this
module is the one place partnerships reaches into it.
"""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import models
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string

_state = threading.local()


@contextmanager
def reminding(reminder, about):
    """Mail queued inside the block carries the reminder it belongs to (its key
    says which), so the reminder's time becomes the moment the mail left."""
    previous = getattr(_state, "reminder", None)
    _state.reminder = (reminder, about)
    try:
        yield
    finally:
        _state.reminder = previous


@contextmanager
def muted():
    """Send nothing inside the block: loading demo or seed data must not mail the
    people it invents."""
    previous = getattr(_state, "muted", False)
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = previous


def render_email(event: str, context: dict) -> tuple[str, str, str]:
    context = {"site_name": settings.WAGTAIL_SITE_NAME, **context}
    subject = " ".join(render_to_string(f"emails/{event}-subject.txt", context).split())
    body = render_to_string(f"emails/{event}-body.txt", context)
    try:
        html = render_to_string(f"emails/{event}-body.html", context)
    except TemplateDoesNotExist:
        html = ""
    return subject, body, html


def send_email(
    event: str,
    *,
    to: list[str],
    context: dict,
    reply_to: list[str] | None = None,
    partnership=None,
    kind: str | None = None,
    about: models.Model | None = None,
    key: str | None = None,
) -> None:
    """Render now (inside the request, with its data) and queue one message per
    address in the outbox, sent after commit.

    With `partnership`, only addresses of active people who may still see that
    partnership when the mail leaves receive it. `kind` is the notification kind
    people choose about (by default the one the event belongs to); `about` the
    object the mail concerns; `key` makes a repeat call queue nothing new."""
    from notifications.kinds import kind_for
    from notifications.outbox import mail_queue

    recipients = sorted({address for address in to if address})
    if not recipients or getattr(_state, "muted", False):
        return
    subject, body, html = render_email(event, context)
    reminder = getattr(_state, "reminder", None)
    if reminder is not None and key is None:
        key = f"reminder:{reminder[0].pk}:{event}"
        about = about or reminder[1]
    mail_queue(
        event=event,
        kind=kind or kind_for(event),
        recipients=recipients,
        subject=subject,
        body=body,
        html=html,
        reply_to=reply_to,
        partnership=partnership,
        about=about,
        key=key,
        link=str(context.get("url") or context.get("accept_url") or ""),
    )
