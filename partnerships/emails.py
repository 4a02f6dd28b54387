"""The one e-mail helper: every notification is rendered from
templates/emails/<event>-{subject.txt,body.txt,body.html} and sent by a task after
the surrounding transaction commits.

Mail about a partnership names it (`partnership=`): the task then asks the access
policy again when it runs, so someone who lost access between the event and the
delivery (their organisation left, their account was deactivated) gets nothing.
"""

import threading
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string

from .tasks import deliver_email

_state = threading.local()


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
) -> None:
    """Render now (inside the request, with its data) and deliver after commit.

    With `partnership`, only addresses of active people who may still see that
    partnership when the task runs receive it."""
    recipients = sorted({address for address in to if address})
    if not recipients or getattr(_state, "muted", False):
        return
    subject, body, html = render_email(event, context)
    transaction.on_commit(
        partial(
            deliver_email.enqueue,
            subject=subject,
            body=body,
            html=html,
            to=recipients,
            reply_to=reply_to or [],
            partnership_id=partnership.pk if partnership is not None else None,
        )
    )
