"""The daily digest: the notifications each person chose to hold, gathered into
one e-mail a day by `manage.py tick` (at or after DIGEST_HOUR, local time)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from itertools import groupby

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .kinds import DIGEST, KINDS, label_for
from .models import OutgoingMail
from .outbox import _enqueue

Status = OutgoingMail.Status
_ORDER = {kind.key: n for n, kind in enumerate(KINDS)}


def _still_allowed(items: list[OutgoingMail]) -> list[OutgoingMail]:
    """Held items about a partnership the person can no longer see are dropped."""
    from partnerships.permissions import addresses_with_access

    kept = []
    for item in items:
        if item.partnership_id and not addresses_with_access(
            item.partnership_id, [item.recipient]
        ):
            item.status = Status.WITHHELD
            item.save(update_fields=["status"])
            continue
        kept.append(item)
    return kept


def _render(items: list[OutgoingMail], day) -> tuple[str, str, str]:
    items = sorted(items, key=lambda item: (_ORDER.get(item.kind, 99), item.pk))
    groups = [
        {"label": label_for(kind), "items": list(group)}
        for kind, group in groupby(items, key=lambda item: item.kind)
    ]
    context = {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "day": day,
        "count": len(items),
        "groups": groups,
        "preferences_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + "/admin/account/",
    }
    subject = " ".join(
        render_to_string(f"emails/{DIGEST}-subject.txt", context).split()
    )
    return (
        subject,
        render_to_string(f"emails/{DIGEST}-body.txt", context),
        render_to_string(f"emails/{DIGEST}-body.html", context),
    )


def digest_send(*, now: datetime | None = None) -> int:
    """One digest per person with held notifications, at most once a day;
    returns how many digests were queued."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < settings.DIGEST_HOUR:
        return 0
    people = (
        OutgoingMail.objects.filter(status=Status.HELD, user__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sum(_digest_one(user_id, now) for user_id in list(people))


def _digest_one(user_id: int, now: datetime) -> int:
    day = now.date()
    key = f"{DIGEST}:{user_id}:{day.isoformat()}"
    try:
        with transaction.atomic():
            items = list(
                OutgoingMail.objects.select_for_update()
                .filter(status=Status.HELD, user_id=user_id)
                .select_related("user")
                .order_by("pk")
            )
            items = _still_allowed(items)
            if not items:
                return 0
            person = items[0].user
            if not person.is_active or not person.email:
                return 0
            subject, body, html = _render(items, day)
            # The key makes the day's digest unique: a second tick that day
            # (or one running at the same time) fails here and sends nothing.
            digest = OutgoingMail.objects.create(
                recipient=person.email,
                user=person,
                kind=DIGEST,
                event=DIGEST,
                key=key,
                subject=subject,
                body=body,
                html=html,
                status=Status.QUEUED,
            )
            OutgoingMail.objects.filter(pk__in=[item.pk for item in items]).update(
                status=Status.DIGESTED, digest=digest
            )
            transaction.on_commit(partial(_enqueue, digest.pk))
    except IntegrityError:
        return 0  # today's digest went already; these wait for tomorrow's
    return 1
