"""Calendar output (RFC 5545 / iTIP RFC 5546): pure functions, models in, bytes out.

One UID per series; SEQUENCE from the series' counter; DTSTAMP in UTC; RRULE and
EXDATE on the series event; RECURRENCE-ID events for moved or cancelled
occurrences. VTIMEZONE is written with one DTSTART per observance (no
multi-valued RDATE lists, which some servers read only the first value of)."""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vCalAddress, vText

PRODID = "-//Partnership workspace//Meetings//EN"

logger = logging.getLogger(__name__)
# Time-zone tables are written for these years at most, whatever a row says.
ZONE_YEARS = (1999, 2102)


def _transitions(zone: zoneinfo.ZoneInfo, start: datetime.datetime, end):
    """(utc instant, offset before, offset after, is_dst, name) for each change."""
    results = []
    step = datetime.timedelta(days=1)
    moment = start
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + step
        offset = following.astimezone(zone).utcoffset()
        if offset != previous:
            # Bisect on whole seconds: transitions fall on exact seconds.
            low, high = int(moment.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                instant = datetime.datetime.fromtimestamp(middle, datetime.UTC)
                if instant.astimezone(zone).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            high = datetime.datetime.fromtimestamp(high, datetime.UTC)
            local = high.astimezone(zone)
            results.append(
                (high, previous, offset, bool(local.dst()), local.tzname() or "")
            )
            previous = offset
        moment = following
    return results


def vtimezone(tzid: str, first: datetime.date, last: datetime.date) -> Timezone:
    """A VTIMEZONE for the years the events need; one observance per transition."""
    zone = zoneinfo.ZoneInfo(tzid)
    component = Timezone()
    component.add("tzid", tzid)
    low, high = ZONE_YEARS
    first_year = min(max(first.year - 1, low), high)
    last_year = max(min(last.year + 2, high), first_year)
    start = datetime.datetime(first_year, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(last_year, 1, 1, tzinfo=datetime.UTC)
    changes = _transitions(zone, start, end)
    if not changes:
        offset = start.astimezone(zone).utcoffset()
        standard = TimezoneStandard()
        standard.add("dtstart", datetime.datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", start.astimezone(zone).tzname() or tzid)
        component.add_component(standard)
        return component
    for instant, before, after, is_dst, name in changes:
        observance = TimezoneDaylight() if is_dst else TimezoneStandard()
        # DTSTART is the local time before the change, as RFC 5545 requires.
        local_before = (instant + before).replace(tzinfo=None)
        observance.add("dtstart", local_before)
        observance.add("tzoffsetfrom", before)
        observance.add("tzoffsetto", after)
        observance.add("tzname", name)
        component.add_component(observance)
    return component


def _organizer(series) -> vCalAddress:
    """The address calendar programs send Accept/Decline to. With a reply mailbox
    configured (MEETINGS_REPLY_ADDRESS) it is that mailbox, which the workspace
    reads, named after the coordinator, who is SENT-BY; without one, the sender
    address (answers then come through the RSVP links only)."""
    email = settings.MEETINGS_REPLY_ADDRESS or settings.DEFAULT_FROM_EMAIL
    if "<" in email:
        email = email.split("<", 1)[1].rstrip(">")
    address = vCalAddress(f"mailto:{email}")
    organiser = series.organiser
    name = (
        organiser.get_full_name() or organiser.username if organiser else series.title
    )
    address.params["cn"] = vText(name)
    if settings.MEETINGS_REPLY_ADDRESS and organiser and organiser.email:
        address.params["sent-by"] = vText(f"mailto:{organiser.email}")
    return address


def _attendee(invitee, response: str | None = None) -> vCalAddress:
    """An invitee with the answer they gave (PARTSTAT), so an update never asks
    again someone who already said yes or no."""
    response = response or getattr(invitee, "response", "") or "needs-action"
    address = vCalAddress(f"mailto:{invitee.email}")
    if invitee.name:
        address.params["cn"] = vText(invitee.name)
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText(response.upper())
    address.params["rsvp"] = vText("TRUE")
    return address


def _common(event: Event, series, *, sequence: int, stamp: datetime.datetime) -> None:
    event.add("uid", series.uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("summary", series.title)
    description = f"{series.partnership.name}: {series.get_kind_display()}."
    if series.video_url:
        description += f"\nJoin online: {series.video_url}"
    event.add("description", description)
    if series.video_url:
        event.add("url", series.video_url)


def _first_start(series) -> datetime.datetime:
    """DTSTART: the series' first real occurrence, in its zone. RFC 5545 counts
    DTSTART as an occurrence, so a start the rule does not give (a row saved
    before series_create moved it onto the rule) would add a meeting."""
    first = series.local_occurrences(limit=1)
    return (first[0] if first else series.local_start).replace(tzinfo=series.zone)


def series_event(
    series,
    *,
    cancelled: Iterable[datetime.datetime] = (),
    invitees: Iterable = (),
    stamp: datetime.datetime,
    status: str = "CONFIRMED",
) -> Event:
    zone = series.zone
    event = Event()
    _common(event, series, sequence=series.sequence, stamp=stamp)
    start = _first_start(series)
    event.add("dtstart", start)
    event.add("dtend", start + series.duration)
    event.add("rrule", _rrule_dict(series.rrule, series.zone))
    exdates = sorted(c.astimezone(zone) for c in cancelled)
    for exdate in exdates:
        event.add("exdate", exdate)
    if series.location:
        event.add("location", series.location)
    event.add("status", status)
    event.add("organizer", _organizer(series))
    for invitee in invitees:
        event.add("attendee", _attendee(invitee))
    return event


def _rrule_dict(text: str, zone: zoneinfo.ZoneInfo | None = None) -> dict:
    """The stored rule for a zoned DTSTART: its UNTIL, kept as wall-clock time in
    the series' zone, goes out in UTC as RFC 5545 requires (…Z)."""
    from icalendar.prop import vRecur

    rule = vRecur.from_ical(text.removeprefix("RRULE:"))
    if zone is not None and rule.get("UNTIL"):
        until = rule["UNTIL"][0]
        if not isinstance(until, datetime.datetime):
            until = datetime.datetime.combine(until, datetime.time(23, 59, 59))
        if until.tzinfo is None:
            until = until.replace(tzinfo=zone)
        rule["UNTIL"] = [until.astimezone(datetime.UTC)]
    return rule


def override_event(
    series,
    meeting,
    *,
    invitees: Iterable = (),
    stamp: datetime.datetime,
    answers: dict | None = None,
) -> Event:
    """A moved or cancelled occurrence, or one some invitee answered for alone
    (RECURRENCE-ID names the original). answers: invitee pk → their PARTSTAT
    for this date, where it differs from their answer for the series."""
    zone = series.zone
    event = Event()
    _common(event, series, sequence=series.sequence, stamp=stamp)
    event.add("recurrence-id", meeting.original_start.astimezone(zone))
    event.add("dtstart", meeting.start.astimezone(zone))
    event.add("dtend", meeting.end.astimezone(zone))
    location = meeting.location or series.location
    if location:
        event.add("location", location)
    event.add(
        "status",
        "CANCELLED" if meeting.state == meeting.State.CANCELLED else "CONFIRMED",
    )
    event.add("organizer", _organizer(series))
    answers = answers or {}
    for invitee in invitees:
        event.add("attendee", _attendee(invitee, answers.get(invitee.pk)))
    return event


def build_calendar(
    entries: Iterable[tuple],
    *,
    method: str | None = None,
    name: str | None = None,
    refresh: str | None = None,
    skip_broken: bool = False,
) -> Calendar:
    """entries: (series, overrides, invitees) triples, or with a fourth item,
    {(meeting pk, invitee pk): PARTSTAT} for answers given for one date. Overrides
    are meetings that were moved, cancelled or answered for alone; cancelled
    ones become EXDATEs on the series too.

    With skip_broken (feeds), a series that cannot be written is left out and
    logged, so one bad row never takes everyone else's calendar down."""
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    if refresh:
        calendar.add(
            "refresh-interval",
            datetime.timedelta(hours=1),
            parameters={"VALUE": "DURATION"},
        )
        calendar.add("x-published-ttl", refresh)
    zones: dict[str, list[datetime.date]] = {}
    events = []
    for series, overrides, invitees, *rest in entries:
        try:
            problem = series.problem() if skip_broken else None
            if problem:
                raise ValueError(problem)
            built, span = _series_events(
                series,
                overrides,
                invitees,
                stamp=stamp,
                answers=rest[0] if rest else {},
            )
            if skip_broken:
                # Serialise now: a value the format cannot hold fails here, not
                # in the middle of the whole calendar.
                for event in built:
                    event.to_ical()
        except Exception as error:  # noqa: BLE001 - any bad row, skipped
            if not skip_broken:
                raise
            logger.warning(
                "Meeting series %s left out of a calendar feed: %s", series.pk, error
            )
            continue
        events.extend(built)
        zones.setdefault(series.timezone, []).extend(span)
    for tzid, dates in sorted(zones.items()):
        calendar.add_component(vtimezone(tzid, min(dates), max(dates)))
    for event in events:
        calendar.add_component(event)
    return calendar


def _series_events(
    series, overrides, invitees, *, stamp, answers
) -> tuple[list, tuple]:
    """The series event and its overrides, and the dates its time zone must cover."""
    invitees = list(invitees)
    cancelled = [m.original_start for m in overrides if m.state == "cancelled"]
    built = [series_event(series, cancelled=cancelled, invitees=invitees, stamp=stamp)]
    for meeting in overrides:
        if meeting.state != "cancelled":
            mine = {
                invitee.pk: answers[meeting.pk, invitee.pk]
                for invitee in invitees
                if (meeting.pk, invitee.pk) in answers
            }
            built.append(
                override_event(
                    series, meeting, invitees=invitees, stamp=stamp, answers=mine
                )
            )
    until = _rrule_dict(series.rrule).get("UNTIL")
    last = until[0] if until else None
    if isinstance(last, datetime.datetime):
        last = last.date()
    last = last or timezone.localdate() + datetime.timedelta(days=800)
    return built, (series.local_start.date(), last)


def cancel_calendar(series, *, meeting=None, invitees: Iterable = ()) -> Calendar:
    """METHOD:CANCEL for one occurrence (meeting) or for the whole series (to an
    invitee who was removed)."""
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL")
    event = Event()
    _common(event, series, sequence=series.sequence, stamp=stamp)
    zone = series.zone
    if meeting is not None:
        event.add("recurrence-id", meeting.original_start.astimezone(zone))
        event.add("dtstart", meeting.original_start.astimezone(zone))
        event.add("dtend", meeting.original_start.astimezone(zone) + series.duration)
    else:
        start = _first_start(series)
        event.add("dtstart", start)
        event.add("dtend", start + series.duration)
        event.add("rrule", _rrule_dict(series.rrule, series.zone))
    event.add("status", "CANCELLED")
    event.add("organizer", _organizer(series))
    for invitee in invitees:
        event.add("attendee", _attendee(invitee))
    calendar.add_component(
        vtimezone(series.timezone, series.local_start.date(), timezone.localdate())
    )
    calendar.add_component(event)
    return calendar


def meeting_calendar(series, meeting) -> Calendar:
    """One date of a series to download: the invitation's UID with this date's
    RECURRENCE-ID, so a calendar that has the invitation updates that date
    instead of adding a second meeting."""
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add_component(
        vtimezone(series.timezone, meeting.start.date(), meeting.start.date())
    )
    calendar.add_component(override_event(series, meeting, stamp=stamp))
    return calendar


def to_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()
