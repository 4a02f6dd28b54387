"""iTIP replies shaped as Outlook, Google Calendar and Apple Calendar send them
(RFC 6047 iMIP and each vendor's documented and observed habits), written here
from those formats, not copied from captured mail:

- Outlook / Exchange: multipart/alternative, the calendar base64 with
  charset="utf-8"; method=REPLY, Windows zone names as TZID ("Eastern Standard
  Time") with their own VTIMEZONE, MAILTO: in capitals, COMMENT;LANGUAGE=…;
  "Propose new time" is a METHOD:COUNTER with the proposed DTSTART/DTEND.
- Google: multipart/mixed holding an alternative (text, html, text/calendar)
  and the same calendar again as application/ics "invite.ics"; DTSTART in
  UTC, RECURRENCE-ID with an IANA TZID, X-NUM-GUESTS on the attendee.
- Apple: text/calendar attachment "iCal-….ics", quoted-printable, an
  EMAIL= parameter on the attendee, long lines folded, REQUEST-STATUS."""

from __future__ import annotations

import base64
import datetime
import quopri

UTC = datetime.UTC

EASTERN = """BEGIN:VTIMEZONE\r
TZID:Eastern Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""

NEW_YORK = """BEGIN:VTIMEZONE\r
TZID:America/New_York\r
BEGIN:DAYLIGHT\r
DTSTART:20070311T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
TZNAME:EDT\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
DTSTART:20071104T020000\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
TZNAME:EST\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
END:STANDARD\r
END:VTIMEZONE\r
"""


def _fold(line: str) -> str:
    """RFC 5545 folding at 75 octets, as Apple does."""
    data = line.encode()
    out, chunk = [], b""
    for char in line:
        piece = char.encode()
        if len(chunk) + len(piece) > (75 if not out else 74):
            out.append(chunk)
            chunk = b""
        chunk += piece
    out.append(chunk)
    assert b"".join(out) == data
    return "\r\n ".join(part.decode() for part in out)


def _local(moment: datetime.datetime, zone="America/New_York") -> str:
    import zoneinfo

    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y%m%dT%H%M%S")


def _b64(text: str) -> str:
    data = base64.encodebytes(text.encode()).decode()
    return data.replace("\n", "\r\n")


def outlook(
    *,
    uid: str,
    sender: str,
    name: str,
    partstat: str = "ACCEPTED",
    attendee: str | None = None,
    start: datetime.datetime,
    minutes: int = 60,
    recurrence_id: datetime.datetime | None = None,
    comment: str = "",
    counter: tuple[datetime.datetime, datetime.datetime] | None = None,
    organizer: str = "replies@workspace.test",
) -> bytes:
    method = "COUNTER" if counter else "REPLY"
    verb = {"ACCEPTED": "Accepted", "DECLINED": "Declined"}.get(partstat, "Tentative")
    if counter:
        verb = "New Time Proposed"
    begin, end = counter or (start, start + datetime.timedelta(minutes=minutes))
    lines = [
        "BEGIN:VCALENDAR",
        f"METHOD:{method}",
        "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0",
    ]
    calendar = "\r\n".join(lines) + "\r\n" + EASTERN
    event = [
        "BEGIN:VEVENT",
        f"ATTENDEE;PARTSTAT={partstat};CN={name}:MAILTO:{(attendee or sender).upper()}",
    ]
    if comment:
        event.append(f"COMMENT;LANGUAGE=en-US:{comment}")
    event += [
        f"SUMMARY;LANGUAGE=en-US:{verb}: Monthly shared-participant review",
        f"DTSTART;TZID=Eastern Standard Time:{_local(begin)}",
        f"DTEND;TZID=Eastern Standard Time:{_local(end)}",
        f"UID:{uid}",
    ]
    if recurrence_id:
        event.append(
            f"RECURRENCE-ID;TZID=Eastern Standard Time:{_local(recurrence_id)}"
        )
    event += [
        f"ORGANIZER:MAILTO:{organizer.upper()}",
        "CLASS:PUBLIC",
        "PRIORITY:5",
        "DTSTAMP:20261126T120000Z",
        "TRANSP:OPAQUE",
        "STATUS:CONFIRMED",
        "SEQUENCE:0",
        "LOCATION;LANGUAGE=en-US:Northside\\, room 2",
        "X-MICROSOFT-CDO-APPT-SEQUENCE:0",
        "X-MICROSOFT-CDO-OWNERAPPTID:2124568134",
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
        "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    calendar += "\r\n".join(event) + "\r\n"
    boundary = "_000_BN8PR11MB36661A1E3C0F4D1B9B3E4D2AC4A2ABN8PR11MB3666namp_"
    return (
        f"From: {name} <{sender}>\r\n"
        f"To: Dana Coordinator <{organizer}>\r\n"
        f"Subject: {verb}: Monthly shared-participant review\r\n"
        "Thread-Topic: Monthly shared-participant review\r\n"
        "Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
        "Message-ID: <BN8PR11MB3666@namprd11.prod.outlook.com>\r\n"
        "Content-Language: en-US\r\n"
        "X-MS-Has-Attach:\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\n"
        'Content-Type: text/plain; charset="us-ascii"\r\n\r\n'
        f"{comment}\r\n\r\n"
        f"--{boundary}\r\n"
        f'Content-Type: text/calendar; charset="utf-8"; method={method}\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(calendar)}\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def google(
    *,
    uid: str,
    sender: str,
    name: str,
    partstat: str = "DECLINED",
    start: datetime.datetime,
    minutes: int = 60,
    recurrence_id: datetime.datetime | None = None,
    comment: str = "",
    organizer: str = "replies@workspace.test",
) -> bytes:
    def utc(moment):
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    event = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        f"DTSTART:{utc(start)}",
        f"DTEND:{utc(start + datetime.timedelta(minutes=minutes))}",
        "DTSTAMP:20261126T120000Z",
        f"ORGANIZER;CN=Dana Coordinator:mailto:{organizer}",
        f"UID:{uid}",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT={partstat};CN={name};X-NUM-GUESTS=0:mailto:{sender}",
    ]
    if recurrence_id:
        event.append(f"RECURRENCE-ID;TZID=America/New_York:{_local(recurrence_id)}")
    if comment:
        event.append(f"COMMENT:{comment}")
    event += [
        "CREATED:20261001T120000Z",
        "LAST-MODIFIED:20261126T120000Z",
        "LOCATION:Northside\\, room 2",
        "SEQUENCE:1",
        "STATUS:CONFIRMED",
        "SUMMARY:Monthly shared-participant review",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    calendar = "\r\n".join(_fold(line) for line in event) + "\r\n"
    outer, inner = "000000000000a1b2c3d4e5f60718", "000000000000a1b2c3d4e5f60717"
    answer = {"DECLINED": "Declined", "ACCEPTED": "Accepted"}.get(
        partstat, "Tentatively Accepted"
    )
    return (
        f"From: {name} <{sender}>\r\n"
        f"To: {organizer}\r\n"
        f"Subject: Invitation: {answer}: Monthly shared-participant review\r\n"
        "Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
        "Message-ID: <calendar-0f1e2d3c@google.com>\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{outer}"\r\n\r\n'
        f"--{outer}\r\n"
        f'Content-Type: multipart/alternative; boundary="{inner}"\r\n\r\n'
        f"--{inner}\r\n"
        'Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(f'{name} has {answer.lower()} this invitation.')}\r\n"
        f"--{inner}\r\n"
        'Content-Type: text/html; charset="UTF-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"<p>{name} has {answer.lower()} this invitation.</p>\r\n"
        f"--{inner}\r\n"
        'Content-Type: text/calendar; charset="UTF-8"; method=REPLY\r\n'
        "Content-Transfer-Encoding: 7bit\r\n\r\n"
        f"{calendar}\r\n"
        f"--{inner}--\r\n\r\n"
        f"--{outer}\r\n"
        'Content-Type: application/ics; name="invite.ics"\r\n'
        'Content-Disposition: attachment; filename="invite.ics"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(calendar)}\r\n"
        f"--{outer}--\r\n"
    ).encode()


def apple(
    *,
    uid: str,
    sender: str,
    name: str,
    partstat: str = "TENTATIVE",
    start: datetime.datetime,
    minutes: int = 60,
    recurrence_id: datetime.datetime | None = None,
    comment: str = "",
    organizer: str = "replies@workspace.test",
) -> bytes:
    end = start + datetime.timedelta(minutes=minutes)
    event = [
        "BEGIN:VCALENDAR",
        "METHOD:REPLY",
        "PRODID:-//Apple Inc.//macOS 15.1//EN",
        "VERSION:2.0",
    ]
    body = [
        "BEGIN:VEVENT",
        f"ATTENDEE;CN={name};CUTYPE=INDIVIDUAL;EMAIL={sender};PARTSTAT={partstat}"
        f":mailto:{sender}",
        f"DTEND;TZID=America/New_York:{_local(end)}",
        "DTSTAMP:20261126T120000Z",
        f"DTSTART;TZID=America/New_York:{_local(start)}",
        f"ORGANIZER;CN=Dana Coordinator;EMAIL={organizer}:mailto:{organizer}",
        "REQUEST-STATUS:2.0;Success",
        "SEQUENCE:0",
        "SUMMARY:Monthly shared-participant review",
        f"UID:{uid}",
    ]
    if recurrence_id:
        body.append(f"RECURRENCE-ID;TZID=America/New_York:{_local(recurrence_id)}")
    if comment:
        body.append(f"COMMENT:{comment}")
    body += [
        "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    calendar = (
        "\r\n".join(event)
        + "\r\n"
        + NEW_YORK
        + "\r\n".join(_fold(line) for line in body)
        + "\r\n"
    )
    encoded = quopri.encodestring(calendar.encode()).decode()
    boundary = "Apple-Mail=_5B3C8D0E-1F2A-4B6C-9D8E-7F6A5B4C3D2E"
    return (
        f'From: "{name}" <{sender}>\r\n'
        f"To: {organizer}\r\n"
        f"Subject: Invitation: Monthly shared-participant review\r\n"
        "Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
        "Message-Id: <5B3C8D0E-1F2A-4B6C-9D8E-7F6A5B4C3D2E@icloud.com>\r\n"
        "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.200.121\\))\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"{name} has replied to your invitation.\r\n\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: attachment; filename="iCal-20261126-120000.ics"\r\n'
        "Content-Type: text/calendar; charset=utf-8; method=REPLY;\r\n"
        '\tname="iCal-20261126-120000.ics"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{encoded}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
