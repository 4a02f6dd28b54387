"""Answers from calendar programs: each iTIP REPLY found in the reply mailbox is
matched to a sent invitation (UID, the attendee it was sent to, and for one
date its RECURRENCE-ID) and recorded like an answer through the RSVP link; a
COUNTER (another time proposed) is shown to the coordinator. Anything that does
not match changes nothing and is set aside for a person to read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from wagtail.log_actions import log

from partnerships.emails import send_email

from .. import itip
from ..models import Delivery, Invitee, Meeting, MeetingEvent, MeetingSeries
from ..templatetags.meeting_time import when
from .answers import RSVPWithdrawn, occurrence_near, rsvp_record


@dataclass(frozen=True)
class Outcome:
    """What one e-mail did: "recorded", "proposed" or "set aside", and why."""

    result: str
    detail: str = ""

    @property
    def set_aside(self) -> bool:
        return self.result == "set aside"


def _aside(why: str) -> Outcome:
    return Outcome("set aside", why)


def reply_receive(*, raw: bytes) -> Outcome:
    """Read one e-mail from the reply mailbox and act on it. Every reply in it
    must match, or nothing in it is recorded."""
    received = itip.read_message(raw)
    if received.problem:
        return _aside(received.problem)
    matched = []
    for reply in received.replies:
        found = _match(reply, sender=received.sender)
        if isinstance(found, str):
            return _aside(found)
        matched.append((reply, *found))
    with transaction.atomic():
        results = [_act(reply, invitee, meeting) for reply, invitee, meeting in matched]
    return Outcome(
        "proposed" if "proposed" in results else "recorded", ", ".join(results)
    )


def _match(reply: itip.Reply, *, sender: str):
    """(invitee, meeting or None) for a reply that answers an invitation we
    sent, else why it does not."""
    series = (
        MeetingSeries.objects.select_related("partnership", "organiser")
        .filter(uid=reply.uid)
        .first()
    )
    if series is None:
        return f"no invitation has the UID {reply.uid!r}"
    if series.cancelled_at is not None:
        return "the series is cancelled"
    # The attendee named in the calendar must be who sent the e-mail: a reply
    # naming an invitee but sent from elsewhere is not theirs to give.
    if not reply.attendee or reply.attendee != sender:
        return f"sent by {sender or 'nobody'} for {reply.attendee or 'nobody'}"
    invitee = (
        Invitee.objects.select_related("series__partnership", "user")
        .filter(series=series, email__iexact=reply.attendee, removed_at__isnull=True)
        .first()
    )
    if invitee is None:
        return f"{reply.attendee} is not invited to {series.title}"
    sent = Delivery.objects.filter(
        series=series,
        email__iexact=reply.attendee,
        method="REQUEST",
        status=Delivery.Status.SENT,
    ).exists()
    if not sent:
        return f"no invitation to {series.title} was sent to {reply.attendee}"
    if not invitee.may_take_part(series.partnership):
        return f"{reply.attendee} may no longer take part"
    meeting = None
    if reply.recurrence_id is not None:
        original = reply.recurrence_id
        if original.tzinfo is None:
            original = original.replace(tzinfo=series.zone)
        meeting = occurrence_near(series, original.astimezone(datetime.UTC))
        if meeting is None:
            return f"{series.title} has no meeting on {original:%d %b %Y}"
    if reply.method == "REPLY" and reply.partstat not in itip.ANSWERS:
        return f"the answer {reply.partstat or 'nothing'} is not one we record"
    return invitee, meeting


def _act(reply: itip.Reply, invitee: Invitee, meeting: Meeting | None) -> str:
    if reply.method == "COUNTER":
        _counter(reply, invitee, meeting)
        return "proposed"
    try:
        rsvp_record(
            invitee=invitee,
            meeting=meeting,
            response=reply.partstat.lower(),
            comment=reply.comment,
            by_mail=True,
        )
    except RSVPWithdrawn:
        return "withdrawn"
    return "recorded"


def _counter(reply: itip.Reply, invitee: Invitee, meeting: Meeting | None) -> None:
    """Another time proposed: written where the coordinator reads it (the series
    page, and the meeting's page for one date), never applied by itself."""
    series = invitee.series
    zone = series.timezone

    def moment(value):
        if value is None:
            return "another time"
        if value.tzinfo is None:
            value = value.replace(tzinfo=series.zone)
        return when(value, zone)

    proposed = moment(reply.proposed_start)
    if reply.proposed_end is not None and reply.proposed_start is not None:
        proposed += f" to {moment(reply.proposed_end).split(', ', 1)[-1]}"
    about = f"for {when(meeting.start, zone)}" if meeting else "for the series"
    note = f"{invitee.display} proposes {proposed} {about}"
    if reply.comment:
        note += f": “{reply.comment}”"
    MeetingEvent.objects.create(
        series=series, meeting=meeting, action="counter", note=note[:2000]
    )
    organiser = series.organiser
    if organiser is not None and organiser.email:
        # The coordinator hears of it at once; the page keeps it.
        send_email(
            "meeting-counter",
            to=[organiser.email],
            context={
                "series": series,
                "note": note,
                "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
                + (meeting or series).get_absolute_url(),
            },
            partnership=series.partnership,
            about=meeting or series,
        )
    log(
        series.partnership,
        "meetings.counter",
        user=invitee.user,
        data={"series": series.title, "email": invitee.email, "proposed": proposed},
    )
