"""One way to remind: each app registers where its due reminders come from, and
`send_due` (run by `manage.py tick`) sends each of them once.

Once means once per (object, kind, due date): the `Reminder` row is inserted in
the same transaction that writes the mail to the outbox, and a unique constraint
refuses the second insert, so two ticks running at once never both send: the
tick that loses the race rolls back its outbox rows too. The outbox retries the
mail until it leaves and then stamps the reminder's `sent_at`.

An app registers from its own `AppConfig.ready()`; this module imports no
feature app.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .models import Reminder


@dataclass(frozen=True)
class Due:
    """One reminder that should go out: `send` renders and queues the mail."""

    obj: models.Model
    kind: str
    due_date: datetime.date
    send: Callable[[], None]


Source = Callable[[datetime.date], Iterable[Due]]
_sources: dict[str, Source] = {}


def register(kind_prefix: str, source: Source) -> None:
    """Let `send_due` ask `source(today)` for reminders whose kind starts with
    `kind_prefix`."""
    _sources[kind_prefix] = source


def registered() -> dict[str, Source]:
    return dict(_sources)


def _already_sent(dues: list[Due]) -> set[tuple]:
    # One query per model, so a tick with nothing new to say costs no insert
    # attempts; the constraint still decides when two ticks race.
    by_type: dict[ContentType, set[int]] = {}
    for due in dues:
        by_type.setdefault(ContentType.objects.get_for_model(due.obj), set()).add(
            due.obj.pk
        )
    sent = set()
    for content_type, ids in by_type.items():
        sent.update(
            (content_type.pk, *row)
            for row in Reminder.objects.filter(
                content_type=content_type, object_id__in=ids
            ).values_list("object_id", "kind", "due_date")
        )
    return sent


def send_one(due: Due) -> bool:
    """Record and send `due`, or do nothing if it was already sent.

    The row and the mail's outbox rows commit together; the row's `sent_at`
    becomes the moment the mail left (notifications.outbox)."""
    from .emails import reminding

    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                content_type=ContentType.objects.get_for_model(due.obj),
                object_id=due.obj.pk,
                kind=due.kind,
                due_date=due.due_date,
            )
            with reminding(reminder, due.obj):
                due.send()
    except IntegrityError:
        # Another tick inserted the same row first; it sends the mail.
        return False
    return True


def send_all(dues: Iterable[Due]) -> Counter:
    """Send each of `dues` not sent before; count what went out by kind."""
    dues = list(dues)
    skip = _already_sent(dues)
    sent: Counter = Counter()
    for due in dues:
        content_type = ContentType.objects.get_for_model(due.obj)
        if (content_type.pk, due.obj.pk, due.kind, due.due_date) in skip:
            continue
        if send_one(due):
            sent[due.kind] += 1
    return sent


def send_due(today: datetime.date | None = None) -> dict[str, int]:
    """Send every registered app's due reminders once; counts by kind."""
    today = today or timezone.localdate()
    sent: dict[str, int] = {}
    for _prefix, source in sorted(_sources.items()):
        sent.update(send_all(source(today)))
    return sent
