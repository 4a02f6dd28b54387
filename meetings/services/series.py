"""Setting up and changing a meeting series: its cadence, place and invitees."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction
from django.utils import timezone

from partnerships import permissions
from partnerships.models import Partnership

from ..models import Invitee, Meeting, MeetingSeries
from ..recurrence import (
    describe,
    first_occurrence,
    validate_duration,
    validate_rule,
    validate_start,
)
from ..templatetags.meeting_time import zone_label
from .base import (
    _active_invitees,
    _bump,
    _clean_invitees,
    _log,
    _refuse_if_cancelled,
    _require,
    _zone,
)
from .invitations import _send_request


@transaction.atomic
def series_create(
    *,
    partnership: Partnership,
    by,
    title: str,
    kind: str,
    rrule: str,
    start_local: datetime.datetime,
    duration_minutes: int,
    tz: str,
    location: str = "",
    video_url: str = "",
    agenda_template: str = "",
    invitees=(),
) -> MeetingSeries:
    _require(by, partnership, permissions.can_coordinate)
    zone = _zone(tz)
    validate_rule(rrule, start_local)
    validate_duration(duration_minutes)
    start_local = first_occurrence(rrule, start_local)
    invitees = _clean_invitees(invitees)
    series = MeetingSeries(
        partnership=partnership,
        title=title,
        kind=kind,
        rrule=rrule,
        start=start_local.replace(tzinfo=zone),
        duration_minutes=duration_minutes,
        timezone=tz,
        location=location,
        video_url=video_url,
        agenda_template=agenda_template,
        organiser=by,
    )
    series.full_clean()
    series.save()
    for user, email, name in invitees:
        Invitee.objects.get_or_create(
            series=series, email=email, defaults={"user": user, "name": name}
        )
    _log(series, "create_series", by)
    return series


@transaction.atomic
def series_update(*, series: MeetingSeries, by, notify: bool = True, **fields) -> int:
    """Change time, rule, place or title; a significant change raises SEQUENCE and,
    once published and if the organiser wishes, re-sends the invitation."""
    _require(by, series.partnership, permissions.can_coordinate)
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    _refuse_if_cancelled(series)
    if "tz" in fields:
        fields["timezone"] = fields.pop("tz")
    if "start_local" in fields:
        start_local = fields.pop("start_local")
        validate_start(start_local)
        rule = fields.get("rrule", series.rrule)
        validate_rule(rule, start_local)
        zone = _zone(fields.get("timezone", series.timezone))
        fields["start"] = first_occurrence(rule, start_local).replace(tzinfo=zone)
    elif "rrule" in fields:
        # A new rule may not give the old first date: start on its first one.
        validate_rule(fields["rrule"], series.local_start)
        first = first_occurrence(fields["rrule"], series.local_start)
        zone = _zone(fields.get("timezone", series.timezone))
        fields["start"] = first.replace(tzinfo=zone)
    changed = {k: v for k, v in fields.items() if getattr(series, k) != v}
    if not changed:
        return 0
    old_zone = series.zone
    was = _summary(series)
    for key, value in changed.items():
        setattr(series, key, value)
    validate_rule(series.rrule, series.local_start)
    validate_duration(series.duration_minutes)
    series.full_clean()
    series.save()
    if changed.keys() & {"start", "rrule", "timezone"}:
        _exceptions_follow(series, old_zone)
    _bump(series)
    _log(series, "update_series", by, changed=", ".join(sorted(changed)))
    if series.published and notify:
        changes = [
            f"{label}: {old} → {new}"
            for (label, old), new in zip(
                was.items(), _summary(series).values(), strict=True
            )
            if old != new
        ]
        return _send_request(
            series, _active_invitees(series), reason="update", changes=changes
        )
    return 0


def _summary(series: MeetingSeries) -> dict[str, str]:
    """What invitees read about a series, to tell them what changed."""
    return {
        "Title": series.title,
        "When": describe(
            series.rrule,
            series.local_start,
            minutes=series.duration_minutes,
            zone=zone_label(series.timezone),
        )
        + f", from {series.local_start:%A %-d %B %Y}",
        "Where": series.location or "no place given",
        "Video link": series.video_url or "none",
    }


def _exceptions_follow(series: MeetingSeries, old_zone: zoneinfo.ZoneInfo) -> None:
    """After the series' time or rule changed, each date that has its own
    Meeting (moved, cancelled, prepared or held) is matched to the series' new
    occurrence on the same local date: calendars find it by that RECURRENCE-ID,
    so an exception left on the old time would show the date twice. A date
    someone moved stays where they moved it; a held meeting keeps the time it
    was held at."""
    now = timezone.now()
    for meeting in series.meetings.all():
        day = meeting.original_start.astimezone(old_zone).date()
        midnight = datetime.datetime.combine(day, datetime.time())
        found = series.local_occurrences(
            after=midnight, before=midnight + datetime.timedelta(days=1), limit=1
        )
        if not found:
            continue  # the new rule has no meeting that day: left as it was
        original = series.to_utc(found[0])
        if original == meeting.original_start:
            continue
        update = {"original_start": original, "updated_at": now}
        follows = meeting.state in (Meeting.State.SCHEDULED, Meeting.State.CANCELLED)
        if follows and not meeting.is_moved:
            update["start"] = original
            update["end"] = original + series.duration
        Meeting.objects.filter(pk=meeting.pk).update(**update)
