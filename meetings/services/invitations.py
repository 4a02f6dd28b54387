"""Who is invited and how they hear of it: invitees, invitation e-mails with
their calendars, RSVP links and answers, and retrying failed deliveries."""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from partnerships import permissions
from partnerships.emails import render_email

from .. import ical
from ..models import Attendance, Delivery, Invitee, Meeting, MeetingSeries
from .base import (
    _active_invitees,
    _bump,
    _clean_invitees,
    _lock_series,
    _log,
    _require,
    occurrence_for,
    occurrences,
    series_calendar,
)

RSVP_SALT = "meetings.rsvp"


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


def rsvp_token(invitee: Invitee, original_start: datetime.datetime | None) -> str:
    return signing.dumps(
        {
            "i": invitee.pk,
            "o": original_start.strftime("%Y%m%dT%H%M%SZ") if original_start else "",
        },
        salt=RSVP_SALT,
    )


def rsvp_links(series: MeetingSeries, invitee: Invitee) -> dict:
    """Accept / tentative / decline links for the next occurrence."""
    upcoming = occurrences(
        series,
        start=timezone.now(),
        end=timezone.now() + datetime.timedelta(days=400),
        limit=1,
    )
    original = upcoming[0].original_start if upcoming else None
    token = rsvp_token(invitee, original)
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return {
        "date": upcoming[0].start if upcoming else None,
        "url": base + reverse("meetings_rsvp", args=[token]),
    }


class RSVPInvalid(Exception):
    """Not a link we made (tampered, expired, or for no occurrence)."""


class RSVPWithdrawn(RSVPInvalid):
    """A link we made, for someone no longer invited or no longer with access."""


def rsvp_resolve(token: str) -> tuple[Invitee, Meeting]:
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=60 * 60 * 24 * 400)
    except signing.BadSignature:
        raise RSVPInvalid from None
    invitee = (
        Invitee.objects.select_related("series__partnership", "user")
        .filter(pk=data.get("i"))
        .first()
    )
    if invitee is None or not data.get("o"):
        raise RSVPInvalid
    if not invitee.may_take_part():
        raise RSVPWithdrawn
    try:
        meeting = occurrence_for(invitee.series, data["o"])
    except ValidationError:
        raise RSVPInvalid from None
    return invitee, meeting


@transaction.atomic
def rsvp_record(*, invitee: Invitee, meeting: Meeting, response: str) -> Attendance:
    """The invitee's own answer, authorised by their signed link: it counts only
    while they are invited and (for an account) may still see the partnership."""
    invitee = Invitee.objects.select_related("series__partnership", "user").get(
        pk=invitee.pk
    )
    if meeting.series_id != invitee.series_id or not invitee.may_take_part():
        raise RSVPWithdrawn
    if response not in Attendance.Response.values:
        raise ValidationError("Answer accept, tentative or decline.")
    attendance, _ = Attendance.objects.get_or_create(meeting=meeting, invitee=invitee)
    attendance.response = response
    attendance.responded_at = timezone.now()
    attendance.save()
    log(
        meeting.series.partnership,
        "meetings.rsvp",
        user=invitee.user,
        data={
            "series": meeting.series.title,
            "email": invitee.email,
            "response": attendance.get_response_display(),
        },
    )
    return attendance
