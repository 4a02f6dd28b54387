"""Every change of state: sending a series' invitations, and moving, cancelling,
holding and closing one meeting.

Each goes the same way: lock the row, let the model's transition refuse a move
its state does not allow (nothing is written then), save, write one
MeetingEvent and one audit-log entry, and queue the mail for after the commit."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_fsm import can_proceed

from partnerships import permissions
from partnerships.emails import send_email

from ..models import AgendaItem, Meeting, MeetingEvent, MeetingSeries
from ..recurrence import validate_start
from ..templatetags.meeting_time import when as clock
from .base import (
    _active_invitees,
    _bump,
    _lock_series,
    _log,
    _materialise,
    _refuse_if_cancelled,
    _require,
    _require_edit,
    feeds_changed,
    occurrences,
)
from .invitations import _send_cancel, _send_request

State = Meeting.State

# What a refused move says, by (transition, the meeting's state): what is wrong
# and what to do instead.
REFUSALS: dict[tuple[str, str], str] = {
    ("reschedule", State.HELD): (
        "This meeting has already been held, so it can no longer be moved; "
        "record its minutes and close them instead."
    ),
    ("reschedule", State.CLOSED): (
        "This meeting is already closed, so it can no longer be moved."
    ),
    ("reschedule", State.CANCELLED): (
        "This meeting is cancelled, so it cannot be moved; move another date of "
        "the series instead."
    ),
    ("cancel", State.HELD): (
        "This meeting has already been held, so it can no longer be cancelled; "
        "record its minutes and close them instead."
    ),
    ("cancel", State.CLOSED): (
        "This meeting is already closed, so it can no longer be cancelled."
    ),
    ("cancel", State.CANCELLED): "This meeting is already cancelled.",
    ("hold", State.HELD): (
        "This meeting is already marked as held; record its minutes, then close them."
    ),
    ("hold", State.CLOSED): (
        "This meeting is already closed; its minutes have been sent."
    ),
    ("hold", State.CANCELLED): (
        "This meeting is cancelled, so it cannot be held; hold the next meeting "
        "of the series instead."
    ),
    ("close", State.SCHEDULED): (
        "Mark the meeting as held before closing its minutes."
    ),
    ("close", State.CLOSED): (
        "This meeting is already closed; its minutes have been sent."
    ),
    ("close", State.CANCELLED): (
        "This meeting is cancelled, so it has no minutes to close."
    ),
}
# The audit-log verb of each transition (labels in meetings/wagtail_hooks.py).
AUDIT_VERBS = {
    "reschedule": "move_meeting",
    "cancel": "cancel_meeting",
    "hold": "hold_meeting",
    "close": "close_meeting",
}


def _lock(meeting: Meeting) -> Meeting:
    # of=("self",): lock the meeting's row only, not its series and partnership.
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("series__partnership")
        .get(pk=meeting.pk)
    )


def _transition_checked(row: Meeting | MeetingSeries) -> None:
    """Called between the state check and the write. Does nothing: it is the seam
    where the concurrency tests hold one caller to let the other catch up."""


def _transition(meeting: Meeting, name: str, by, *, note: str = "", **kwargs) -> str:
    """Run one transition on a locked meeting, save it and record it; refuse with
    a ValidationError (and change nothing) when its state does not allow it."""
    before = meeting.state
    method = getattr(meeting, name)
    if not can_proceed(method):
        raise ValidationError(
            REFUSALS.get(
                (name, before),
                f"This meeting is {meeting.get_state_display().lower()}; "
                "that cannot be done now.",
            )
        )
    _transition_checked(meeting)
    method(**kwargs)
    meeting.save()
    MeetingEvent.objects.create(
        series_id=meeting.series_id,
        meeting=meeting,
        action=name,
        from_state=before,
        to_state=meeting.state,
        user=by,
        note=note,
    )
    return before


def _audit(meeting: Meeting, name: str, by, before: str, **data) -> None:
    _log(
        meeting.series,
        AUDIT_VERBS[name],
        by,
        meeting=str(meeting),
        from_state=before,
        to_state=meeting.state,
        **data,
    )


@transaction.atomic
def series_publish(*, series: MeetingSeries, by) -> int:
    """Send the invitations: from now on, changes notify invitees."""
    _require(by, series.partnership, permissions.can_coordinate)
    series = _lock_series(series)
    # A second press (or two coordinators at once) must not invite everyone twice.
    if series.published:
        raise ValidationError(
            "The invitations to this series have already been sent; from now on "
            "each change you make is sent to the invitees."
        )
    _refuse_if_cancelled(series)
    _transition_checked(series)
    series.published = True
    series.save(update_fields=["published", "updated_at"])
    feeds_changed(series.partnership_id)
    MeetingEvent.objects.create(
        series=series,
        action="publish",
        from_state="draft",
        to_state="published",
        user=by,
    )
    _log(series, "publish_series", by)
    return _send_request(series, _active_invitees(series), reason="invitation")


@transaction.atomic
def series_cancel(*, series: MeetingSeries, by, notify: bool = True) -> int:
    """Call off the whole series: invitees are sent one cancellation for all its
    dates, and it leaves every calendar feed. Dates already held keep their
    minutes."""
    _require(by, series.partnership, permissions.can_coordinate)
    series = _lock_series(series)
    _refuse_if_cancelled(series)
    _transition_checked(series)
    before = "published" if series.published else "draft"
    series.cancelled_at = timezone.now()
    series.save(update_fields=["cancelled_at", "updated_at"])
    _bump(series)
    MeetingEvent.objects.create(
        series=series,
        action="cancel_series",
        from_state=before,
        to_state="cancelled",
        user=by,
    )
    _log(series, "cancel_series", by)
    if not (series.published and notify):
        return 0
    return _send_cancel(series, _active_invitees(series), event="series-cancelled")


@transaction.atomic
def meeting_move(
    *, meeting: Meeting, by, start_local: datetime.datetime, notify: bool = True
) -> int:
    _require(by, meeting.series.partnership, permissions.can_coordinate)
    validate_start(start_local, "new date")
    meeting = _lock(meeting)
    series = meeting.series
    _refuse_if_cancelled(series)
    start = start_local.replace(tzinfo=series.zone)
    was = clock(meeting.start, series.timezone)
    when = f"{start_local:%d %b %Y %H:%M}"
    before = _transition(meeting, "reschedule", by, note=f"To {when}", start=start)
    _bump(series)
    _audit(meeting, "reschedule", by, before, to=when)
    if series.published and notify:
        moved = f"The meeting on {was} moves to {clock(start, series.timezone)}."
        return _send_request(
            series, _active_invitees(series), reason="update", changes=[moved]
        )
    return 0


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by, notify: bool = True) -> int:
    _require(by, meeting.series.partnership, permissions.can_coordinate)
    meeting = _lock(meeting)
    series = meeting.series
    before = _transition(meeting, "cancel", by)
    _bump(series)
    _audit(meeting, "cancel", by, before)
    if not (series.published and notify):
        return 0
    return _send_cancel(
        series, _active_invitees(series), event="meeting-cancelled", meeting=meeting
    )


@transaction.atomic
def meeting_hold(*, meeting: Meeting, by) -> Meeting:
    _require_edit(meeting, by)
    meeting = _lock(meeting)
    before = _transition(meeting, "hold", by)
    _audit(meeting, "hold", by, before)
    return meeting


def _carry_over(meeting: Meeting) -> None:
    """Unfinished agenda items go onto the next meeting that is not cancelled."""
    series = meeting.series
    unfinished = [item for item in meeting.agenda.all() if not item.done]
    if not unfinished:
        return
    following = occurrences(
        series,
        start=meeting.start + datetime.timedelta(minutes=1),
        end=meeting.start + datetime.timedelta(days=400),
        limit=5,
    )
    following = [o for o in following if not o.cancelled]
    if not following:
        return
    target = _materialise(series, following[0].original_start)
    base = (target.agenda.aggregate(o=Max("order"))["o"] or 0) + 1
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=target,
            order=base + i,
            title=item.title,
            owner=item.owner,
            minutes_allotted=item.minutes_allotted,
            notes=item.notes,
            responsibility=item.responsibility,
            carried_from=item,
        )
        for i, item in enumerate(unfinished)
    )


def _send_minutes(meeting: Meeting) -> None:
    series = meeting.series
    context = {
        "meeting": meeting,
        "items": list(meeting.agenda.all()),
        "decisions": list(meeting.decisions.all()),
        "actions": list(meeting.actions.select_related("owner")),
        "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + meeting.get_absolute_url(),
    }
    people, addresses = [], []
    for attendance in meeting.attendance.filter(
        attended=True, invitee__removed_at__isnull=True
    ).select_related("invitee__user"):
        invitee = attendance.invitee
        if invitee.user_id:
            people.append(invitee.user.email)
        elif invitee.accounts():
            people.append(invitee.email)
        else:
            addresses.append(invitee.email)
    # Workspace accounts: the mail task asks the access policy again as it sends.
    send_email(
        "meeting-minutes", to=people, context=context, partnership=series.partnership
    )
    # Invitees without an account get the minutes while they are still invited.
    send_email("meeting-minutes", to=addresses, context=context)


@transaction.atomic
def meeting_close(*, meeting: Meeting, by, summary: str = "") -> Meeting:
    """Close the minutes: unfinished items move to the next meeting, and the
    summary goes to everyone who attended (after the commit)."""
    _require_edit(meeting, by)
    meeting = _lock(meeting)
    before = _transition(meeting, "close", by, summary=summary)
    _carry_over(meeting)
    _audit(meeting, "close", by, before)
    _send_minutes(meeting)
    return meeting
