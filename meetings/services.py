"""Every write about meetings: series, occurrences, agendas, minutes, RSVPs and
the invitations that tell people about them."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from partnerships import permissions
from partnerships import services as partnership_services
from partnerships.emails import render_email
from partnerships.models import Organisation, Partnership, Responsibility

from . import ical
from .models import (
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Delivery,
    Invitee,
    Meeting,
    MeetingSeries,
    validate_duration,
    validate_rule,
    validate_start,
)

RSVP_SALT = "meetings.rsvp"


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


def _active_invitees(series: MeetingSeries) -> list[Invitee]:
    return list(series.invitees.filter(removed_at__isnull=True))


def _overrides(series: MeetingSeries) -> list[Meeting]:
    return [
        m
        for m in series.meetings.all()
        if m.state == Meeting.State.CANCELLED or m.is_moved
    ]


def series_calendar(series: MeetingSeries, *, method: str | None = "REQUEST"):
    return ical.build_calendar(
        [(series, _overrides(series), _active_invitees(series))], method=method
    )


@transaction.atomic
def series_publish(*, series: MeetingSeries, by) -> int:
    """Send the invitations: from now on, changes notify invitees."""
    _require(by, series.partnership, permissions.can_coordinate)
    series.published = True
    series.save(update_fields=["published", "updated_at"])
    _log(series, "publish_series", by)
    return _send_request(series, _active_invitees(series), reason="invitation")


def _bump(series: MeetingSeries) -> None:
    """Raise SEQUENCE in the database itself, so a stale copy never lowers it."""
    MeetingSeries.objects.filter(pk=series.pk).update(
        sequence=F("sequence") + 1, updated_at=timezone.now()
    )
    series.refresh_from_db(fields=["sequence", "updated_at"])


@transaction.atomic
def series_update(*, series: MeetingSeries, by, notify: bool = True, **fields) -> int:
    """Change time, rule, place or title; a significant change raises SEQUENCE and,
    once published and if the organiser wishes, re-sends the invitation."""
    _require(by, series.partnership, permissions.can_coordinate)
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    if "tz" in fields:
        fields["timezone"] = fields.pop("tz")
    if "start_local" in fields:
        start_local = fields.pop("start_local")
        validate_start(start_local)
        zone = _zone(fields.get("timezone", series.timezone))
        fields["start"] = start_local.replace(tzinfo=zone)
    changed = {k: v for k, v in fields.items() if getattr(series, k) != v}
    if not changed:
        return 0
    for key, value in changed.items():
        setattr(series, key, value)
    validate_rule(series.rrule, series.local_start)
    validate_duration(series.duration_minutes)
    series.full_clean()
    series.save()
    _bump(series)
    _log(series, "update_series", by, changed=", ".join(sorted(changed)))
    if series.published and notify:
        return _send_request(series, _active_invitees(series), reason="update")
    return 0


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


@transaction.atomic
def meeting_move(
    *, meeting: Meeting, by, start_local: datetime.datetime, notify: bool = True
) -> int:
    series = meeting.series
    _require(by, series.partnership, permissions.can_coordinate)
    if meeting.state != Meeting.State.SCHEDULED:
        raise ValidationError("Only a scheduled meeting can be moved.")
    validate_start(start_local, "new date")
    start = start_local.replace(tzinfo=series.zone)
    meeting.end = start + (meeting.end - meeting.start)
    meeting.start = start
    meeting.save()
    _bump(series)
    _log(series, "move_meeting", by, to=f"{start_local:%d %b %Y %H:%M}")
    if series.published and notify:
        return _send_request(series, _active_invitees(series), reason="update")
    return 0


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by, notify: bool = True) -> int:
    series = meeting.series
    _require(by, series.partnership, permissions.can_coordinate)
    if meeting.state != Meeting.State.SCHEDULED:
        raise ValidationError(
            f"This meeting is {meeting.get_state_display().lower()}; only a scheduled "
            "one can be cancelled."
        )
    meeting.state = Meeting.State.CANCELLED
    meeting.save()
    _bump(series)
    _log(series, "cancel_meeting", by, meeting=str(meeting))
    if not (series.published and notify):
        return 0
    invitees = _active_invitees(series)
    return _send(
        series,
        invitees,
        method="CANCEL",
        calendar=ical.cancel_calendar(series, meeting=meeting, invitees=invitees),
        event="meeting-cancelled",
        context={"meeting": meeting},
    )


@transaction.atomic
def invitee_add(*, series: MeetingSeries, by, email: str, name: str = "", user=None):
    _require(by, series.partnership, permissions.can_coordinate)
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
    series = invitee.series
    _require(by, series.partnership, permissions.can_coordinate)
    invitee.removed_at = timezone.now()
    invitee.save(update_fields=["removed_at"])
    _bump(series)
    _log(series, "remove_invitee", by, email=invitee.email)
    if series.published:
        _send(
            series,
            [invitee],
            method="CANCEL",
            calendar=ical.cancel_calendar(series, invitees=[invitee]),
            event="meeting-uninvited",
            context={},
        )


def _send_request(series, invitees, *, reason: str) -> int:
    calendar = series_calendar(series, method="REQUEST")
    return _send(
        series,
        invitees,
        method="REQUEST",
        calendar=calendar,
        event="meeting-invitation",
        context={"reason": reason},
    )


def _send(series, invitees, *, method, calendar, event, context) -> int:
    from .tasks import deliver_invitation

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


def _require_edit(meeting: Meeting, by):
    _require(by, meeting.series.partnership, permissions.can_edit)


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, by, title: str, **fields) -> AgendaItem:
    _require_edit(meeting, by)
    order = (meeting.agenda.aggregate(o=Max("order"))["o"] or 0) + 1
    item = AgendaItem(meeting=meeting, order=order, title=title, **fields)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by, up: bool) -> None:
    _require_edit(item.meeting, by)
    items = list(item.meeting.agenda.all())
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for order, value in enumerate(items):
            if value.order != order:
                AgendaItem.objects.filter(pk=value.pk).update(order=order)


@transaction.atomic
def minutes_record(
    *, item: AgendaItem, by, minutes: str, done: bool = True
) -> AgendaItem:
    _require_edit(item.meeting, by)
    item.minutes = minutes
    item.done = done
    item.save(update_fields=["minutes", "done"])
    return item


@transaction.atomic
def decision_record(*, meeting: Meeting, by, text: str, agenda_item=None) -> Decision:
    _require_edit(meeting, by)
    if not text.strip():
        raise ValidationError("Write down what was decided.")
    decision = Decision.objects.create(
        meeting=meeting, agenda_item=agenda_item, text=text.strip(), recorded_by=by
    )
    _log(meeting.series, "record_decision", by, decision=decision.text[:100])
    return decision


@transaction.atomic
def action_record(
    *,
    meeting: Meeting,
    by,
    text: str,
    owner: Organisation,
    due_date: datetime.date | None = None,
    agenda_item=None,
) -> Action:
    """An action agreed in the meeting; it goes straight into the tracker."""
    _require_edit(meeting, by)
    action = Action.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        text=text,
        owner=owner,
        due_date=due_date,
    )
    partnership_services.responsibility_from_source(
        partnership=meeting.series.partnership,
        source=Responsibility.Source.MEETING_ACTION,
        source_object=action,
        by=by,
        title=text,
        owner=owner,
        due_date=due_date,
        details=f"Agreed at {meeting}.",
    )
    _log(meeting.series, "record_action", by, what=text[:100], owner=owner.name)
    return action


@transaction.atomic
def attendance_mark(*, meeting: Meeting, by, present: set[int]) -> None:
    _require_edit(meeting, by)
    for invitee in meeting.series.invitees.filter(removed_at__isnull=True):
        attendance, _ = Attendance.objects.get_or_create(
            meeting=meeting, invitee=invitee
        )
        attendance.attended = invitee.pk in present
        attendance.save(update_fields=["attended"])


@transaction.atomic
def meeting_hold(*, meeting: Meeting, by) -> Meeting:
    _require_edit(meeting, by)
    if meeting.state != Meeting.State.SCHEDULED:
        raise ValidationError(
            f"This meeting is {meeting.get_state_display().lower()}; only a scheduled "
            "meeting can be marked as held."
        )
    meeting.state = Meeting.State.HELD
    meeting.held_at = timezone.now()
    meeting.save()
    _log(meeting.series, "hold_meeting", by, meeting=str(meeting))
    return meeting


@transaction.atomic
def meeting_close(*, meeting: Meeting, by, summary: str = "") -> Meeting:
    """Close the minutes: unfinished items move to the next meeting, and the
    summary goes to everyone who attended."""
    _require_edit(meeting, by)
    if meeting.state != Meeting.State.HELD:
        raise ValidationError("Mark the meeting as held before closing its minutes.")
    meeting.state = Meeting.State.CLOSED
    meeting.summary = summary
    meeting.save()
    series = meeting.series
    unfinished = [item for item in meeting.agenda.all() if not item.done]
    if unfinished:
        following = occurrences(
            series,
            start=meeting.start + datetime.timedelta(minutes=1),
            end=meeting.start + datetime.timedelta(days=400),
            limit=5,
        )
        following = [o for o in following if not o.cancelled]
        if following:
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
    _log(series, "close_meeting", by, meeting=str(meeting))
    from partnerships.emails import send_email

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
    return meeting


def deliveries_retry(*, limit: int = 100) -> int:
    """Re-queue failed invitation e-mails (run by tick), up to five attempts."""
    from .tasks import deliver_invitation

    count = 0
    for delivery in Delivery.objects.filter(
        status=Delivery.Status.FAILED, attempts__lt=5
    )[:limit]:
        deliver_invitation.enqueue(delivery_id=delivery.pk)
        count += 1
    return count
