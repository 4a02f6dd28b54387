"""Who is invited and how they hear of it: invitees, invitation e-mails with
their calendars (answers are in answers.py)."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partnerships import permissions
from partnerships.emails import render_email

from .. import ical
from ..models import Delivery, Invitee, MeetingSeries
from .answers import rsvp_links
from .base import (
    _active_invitees,
    _bump,
    _clean_invitees,
    _lock_series,
    _log,
    _require,
    series_calendar,
)


@transaction.atomic
def invitee_add(*, series: MeetingSeries, by, email: str, name: str = "", user=None):
    _require(by, series.partnership, permissions.can_coordinate)
    series = _lock_series(series)
    [(user, email, name)] = _clean_invitees([(user, email, name)])
    invitee, created = Invitee.objects.get_or_create(
        series=series, email=email, defaults={"user": user, "name": name}
    )
    if not created and invitee.removed_at is None:
        raise ValidationError(f"{email} is already invited.")
    invitee.removed_at = None
    invitee.save()
    _bump(series)
    _log(series, "add_invitee", by, email=email)
    if series.published:
        # Everyone gets the new attendee list; the newcomer gets the invitation.
        _send_request(series, _active_invitees(series), reason="update")
    return invitee


@transaction.atomic
def invitee_remove(*, invitee: Invitee, by) -> None:
    _require(by, invitee.series.partnership, permissions.can_coordinate)
    series = _lock_series(invitee.series)
    invitee.removed_at = timezone.now()
    invitee.save(update_fields=["removed_at"])
    _bump(series)
    _log(series, "remove_invitee", by, email=invitee.email)
    if series.published:
        _send_cancel(series, [invitee], event="meeting-uninvited")


def _send_request(series, invitees, *, reason: str, changes=()) -> int:
    """The series' invitation, or with reason "update" the changed one; changes
    are lines saying what changed, for the e-mail."""
    calendar = series_calendar(series, method="REQUEST")
    return _send(
        series,
        invitees,
        method="REQUEST",
        calendar=calendar,
        event="meeting-invitation",
        context={"reason": reason, "changes": list(changes)},
    )


def _send_cancel(series, invitees, *, event: str, meeting=None) -> int:
    """METHOD:CANCEL for one date (meeting) or for the whole series."""
    return _send(
        series,
        invitees,
        method="CANCEL",
        calendar=ical.cancel_calendar(series, meeting=meeting, invitees=invitees),
        event=event,
        context={"meeting": meeting} if meeting else {},
    )


def _send(series, invitees, *, method, calendar, event, context) -> int:
    from ..tasks import deliver_invitation

    data = ical.to_bytes(calendar).decode()
    count = 0
    for invitee in invitees:
        subject, body, html = render_email(
            event,
            {
                "series": series,
                "invitee": invitee,
                "rsvp": rsvp_links(series, invitee) if method == "REQUEST" else {},
                "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
                + series.get_absolute_url(),
                **context,
            },
        )
        delivery = Delivery.objects.create(
            series=series,
            email=invitee.email,
            method=method,
            sequence=series.sequence,
            subject=subject,
            body=body,
            html=html,
            calendar=data,
        )
        transaction.on_commit(
            partial(deliver_invitation.enqueue, delivery_id=delivery.pk)
        )
        count += 1
    return count
