"""What every meetings service shares: the series' dates, the permission check,
the audit-log helper, and the Meeting row for an occurrence."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from wagtail.log_actions import log

from partnerships import permissions
from partnerships.models import Partnership

from .. import ical
from ..models import (
    AgendaItem,
    Answer,
    Attendance,
    FeedVersion,
    Invitee,
    Meeting,
    MeetingSeries,
)


@dataclass
class Occurrence:
    """One date of a series, with its Meeting row when it has one."""

    original_start: datetime.datetime
    start: datetime.datetime
    end: datetime.datetime
    meeting: Meeting | None

    @property
    def cancelled(self) -> bool:
        return bool(self.meeting and self.meeting.state == Meeting.State.CANCELLED)

    @property
    def moved(self) -> bool:
        return bool(self.meeting and self.meeting.is_moved)

    @property
    def key(self) -> str:
        return self.original_start.strftime("%Y%m%dT%H%M%SZ")


def occurrences(
    series: MeetingSeries,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    limit: int = 200,
    meetings: list[Meeting] | None = None,
) -> list[Occurrence]:
    """The series' dates between start and end (UTC), with moves applied."""
    try:
        zone = series.zone
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return []  # a stored time zone that no longer exists: nothing to expand
    local_from = timezone.localtime(start, zone).replace(tzinfo=None)
    local_to = timezone.localtime(end, zone).replace(tzinfo=None)
    # Moved meetings can land in the window from outside it, so look wider.
    if meetings is None:
        meetings = list(series.meetings.all())
    by_original = {m.original_start: m for m in meetings}
    results = []
    for local in series.local_occurrences(
        after=local_from - datetime.timedelta(days=1), before=local_to, limit=limit
    ):
        original = series.to_utc(local)
        meeting = by_original.pop(original, None)
        begin = meeting.start if meeting else original
        finish = meeting.end if meeting else original + series.duration
        if (
            series.cancelled_at
            and begin >= series.cancelled_at
            and not (
                meeting and meeting.state in (Meeting.State.HELD, Meeting.State.CLOSED)
            )
        ):
            continue  # the series was called off before this date
        if start <= begin < end:
            results.append(Occurrence(original, begin, finish, meeting))
    for meeting in by_original.values():
        if start <= meeting.start < end and meeting.original_start not in {
            o.original_start for o in results
        }:
            results.append(
                Occurrence(meeting.original_start, meeting.start, meeting.end, meeting)
            )
    results.sort(key=lambda o: o.start)
    return results[:limit]


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"“{name}” is not a time zone. Choose one from the list, for example "
            "America/New_York."
        ) from None


def _require(user, partnership: Partnership, check) -> None:
    if not check(user, partnership):
        raise PermissionDenied


def _log(series: MeetingSeries, verb: str, by, **data) -> None:
    log(
        series.partnership,
        f"meetings.{verb}",
        user=by,
        data={"series": series.title, **data},
    )


def _clean_invitees(entries) -> list[tuple[object, str, str]]:
    from django.core.validators import validate_email

    cleaned = []
    for user, email, name in entries:
        email = (email or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                f"“{email}” is not an e-mail address. Correct it or remove it."
            ) from None
        cleaned.append((user, email, name))
    return cleaned


def _require_edit(meeting: Meeting, by):
    _require(by, meeting.series.partnership, permissions.can_edit)


def _active_invitees(series: MeetingSeries) -> list[Invitee]:
    return list(series.invitees.filter(removed_at__isnull=True))


def _overrides(series: MeetingSeries) -> list[Meeting]:
    return [
        m
        for m in series.meetings.all()
        if m.state == Meeting.State.CANCELLED or m.is_moved
    ]


def series_calendar(series: MeetingSeries, *, method: str | None = "REQUEST"):
    """The series with its exceptions; an invitation (REQUEST) also carries each
    invitee's answer, for the series and for any date they answered alone."""
    if method != "REQUEST":
        return ical.build_calendar(
            [(series, _overrides(series), _active_invitees(series))], method=method
        )
    answered = series_answers(series)
    overrides = [
        m
        for m in series.meetings.all()
        if m.state == Meeting.State.CANCELLED
        or m.is_moved
        or any(meeting_id == m.pk for meeting_id, _ in answered)
    ]
    return ical.build_calendar(
        [(series, overrides, _active_invitees(series), answered)], method=method
    )


def series_answers(series: MeetingSeries) -> dict[tuple[int, int], str]:
    """(meeting pk, invitee pk) → PARTSTAT for every date someone answered for
    alone, where it differs from their answer for the series: what a REQUEST
    must carry on that date's own event."""
    rows = Attendance.objects.filter(
        meeting__series=series, invitee__removed_at__isnull=True
    ).exclude(response=Answer.NEEDS_ACTION)
    return {
        (meeting_id, invitee_id): response
        for meeting_id, invitee_id, response, series_response in rows.values_list(
            "meeting_id", "invitee_id", "response", "invitee__response"
        )
        if response != series_response
    }


def _lock_series(series: MeetingSeries) -> MeetingSeries:
    """The series row, locked and read afresh: whether it is published and its
    SEQUENCE decide what invitees are sent, so a caller's stale copy must not."""
    return (
        MeetingSeries.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=series.pk)
    )


def _refuse_if_cancelled(series: MeetingSeries) -> None:
    if series.cancelled_at is not None:
        raise ValidationError(
            "This series is cancelled; set up a new series to meet again."
        )


def _bump(series: MeetingSeries) -> None:
    """Raise SEQUENCE in the database itself, so a stale copy never lowers it."""
    MeetingSeries.objects.filter(pk=series.pk).update(
        sequence=F("sequence") + 1, updated_at=timezone.now()
    )
    series.refresh_from_db(fields=["sequence", "updated_at"])
    feeds_changed(series.partnership_id)


def feeds_changed(partnership_id: int) -> None:
    """The partnership's calendar content changed: every feed that shows it gets
    a new key (its cached body and ETag no longer match). Kept in the database,
    in the same transaction as the change, so every web process sees it."""
    now = timezone.now()
    changed = FeedVersion.objects.filter(partnership_id=partnership_id).update(
        version=F("version") + 1, changed_at=now
    )
    if not changed:
        FeedVersion.objects.get_or_create(
            partnership_id=partnership_id, defaults={"version": 1, "changed_at": now}
        )


def _materialise(series: MeetingSeries, original_start: datetime.datetime) -> Meeting:
    meeting, created = Meeting.objects.get_or_create(
        series=series,
        original_start=original_start,
        defaults={"start": original_start, "end": original_start + series.duration},
    )
    if created and series.agenda_template.strip():
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, order=i, title=line.strip())
            for i, line in enumerate(series.agenda_template.splitlines())
            if line.strip()
        )
    return meeting


def occurrence_for(series: MeetingSeries, key: str) -> Meeting:
    """The Meeting for an occurrence key (its original start), created on first use
    if the series really has that date."""
    try:
        original = datetime.datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC
        )
    except ValueError:
        raise ValidationError(
            "That date is not an occurrence of this series."
        ) from None
    existing = series.meetings.filter(original_start=original).first()
    if existing:
        return existing
    local = timezone.localtime(original, series.zone).replace(tzinfo=None)
    if local not in series.local_occurrences(after=local, limit=1):
        raise ValidationError("That date is not an occurrence of this series.")
    return _materialise(series, original)
