"""Reading what calendar programs send back (iTIP, RFC 5546, over iMIP, RFC 6047):
a pure module, an e-mail's bytes in, the replies it carries out.

Outlook puts the calendar in a text/calendar alternative (often base64), Google
in an alternative and again as an application/ics attachment, Apple as
quoted-printable text/calendar; the same calendar found twice counts once.
Nothing here decides whether a reply is genuine: the reply service does."""

from __future__ import annotations

import datetime
import email
import email.policy
import logging
from dataclasses import dataclass
from email.utils import getaddresses

from icalendar import Calendar

logger = logging.getLogger(__name__)

CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}
# The answers the workspace records; DELEGATED and the rest are left to a person.
ANSWERS = {"ACCEPTED", "TENTATIVE", "DECLINED"}


@dataclass(frozen=True)
class Reply:
    """One attendee's answer (REPLY) or proposal of another time (COUNTER)."""

    method: str
    uid: str
    attendee: str
    partstat: str
    comment: str = ""
    sequence: int = 0
    # The date answered for (RECURRENCE-ID); naive when the sender's zone could
    # not be read, then it is taken on the series' clock.
    recurrence_id: datetime.datetime | None = None
    proposed_start: datetime.datetime | None = None
    proposed_end: datetime.datetime | None = None


@dataclass(frozen=True)
class Received:
    """An e-mail's envelope sender and the replies its calendars carry."""

    sender: str
    subject: str
    replies: tuple[Reply, ...]
    problem: str = ""


def _address(value) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower()


def _moment(prop) -> datetime.datetime | None:
    if prop is None:
        return None
    value = prop.dt
    if isinstance(value, datetime.datetime):
        return value
    # A whole-day value: midnight, taken on the series' clock.
    return datetime.datetime.combine(value, datetime.time())


def _calendars(message) -> list[bytes]:
    found: list[bytes] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if kind in CALENDAR_TYPES or name.endswith(".ics"):
            data = part.get_payload(decode=True) or b""
            if data.strip() and data not in found:
                found.append(data)
    return found


def _replies(data: bytes) -> list[Reply]:
    calendar = Calendar.from_ical(data)
    method = str(calendar.get("METHOD", "")).strip().upper()
    if method not in {"REPLY", "COUNTER"}:
        return []
    replies = []
    for event in calendar.walk("VEVENT"):
        attendees = event.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        comment = event.get("COMMENT", "")
        if isinstance(comment, list):
            comment = "\n".join(str(c) for c in comment)
        for attendee in attendees:
            replies.append(
                Reply(
                    method=method,
                    uid=str(event.get("UID", "")).strip(),
                    attendee=_address(attendee),
                    partstat=str(attendee.params.get("PARTSTAT", "")).upper(),
                    comment=str(comment).strip(),
                    sequence=int(event.get("SEQUENCE", 0) or 0),
                    recurrence_id=_moment(event.get("RECURRENCE-ID")),
                    proposed_start=_moment(event.get("DTSTART"))
                    if method == "COUNTER"
                    else None,
                    proposed_end=_moment(event.get("DTEND"))
                    if method == "COUNTER"
                    else None,
                )
            )
    return replies


def read_message(raw: bytes) -> Received:
    """The replies in one e-mail; a calendar that cannot be read is a problem
    named in the result, never an exception."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        senders = getaddresses([str(message.get("From", ""))])
        subject = str(message.get("Subject", ""))
    except (ValueError, TypeError, IndexError):
        senders, subject = [], ""
    sender = senders[0][1].strip().lower() if senders else ""
    replies: list[Reply] = []
    for data in _calendars(message):
        try:
            for reply in _replies(data):
                if reply not in replies:
                    replies.append(reply)
        except (ValueError, TypeError, KeyError, IndexError) as error:
            logger.info("An unreadable calendar in a reply: %s", error)
            return Received(sender, subject, (), f"unreadable calendar: {error}")
    problem = "" if replies else "no calendar reply in this message"
    return Received(sender, subject, tuple(replies), problem)
