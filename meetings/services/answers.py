"""Who is coming: answers given through the signed RSVP links or by a calendar
program's iTIP REPLY, for the whole series or one date; the roster a meeting's
organiser reads; and the reminder to those who have not answered."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from partnerships import permissions
from partnerships.emails import send_email

from ..models import Answer, Attendance, Invitee, Meeting, MeetingEvent, MeetingSeries
from ..templatetags.meeting_time import when
from .base import (
    _active_invitees,
    _log,
    _materialise,
    _require,
    occurrences,
)

RSVP_SALT = "meetings.rsvp"
# An RSVP link answers for this long (seconds): a little over a year of meetings.
RSVP_MAX_AGE = 60 * 60 * 24 * 400
# A meeting's silent invitees are reminded at most once in this time.
REMIND_AGAIN_AFTER = datetime.timedelta(hours=24)


def rsvp_token(invitee: Invitee, original_start: datetime.datetime | None) -> str:
    """A signed link for one date (its original start) or, with None, the series."""
    return signing.dumps(
        {
            "i": invitee.pk,
            "o": original_start.strftime("%Y%m%dT%H%M%SZ") if original_start else "",
        },
        salt=RSVP_SALT,
    )


def _url(token: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "meetings_rsvp", args=[token]
    )


def rsvp_links(series: MeetingSeries, invitee: Invitee) -> dict:
    """The invitee's links: `series_url` answers for every date, `url` for the
    next date (`date`) alone."""
    upcoming = occurrences(
        series,
        start=timezone.now(),
        end=timezone.now() + datetime.timedelta(days=400),
        limit=1,
    )
    original = upcoming[0].original_start if upcoming else None
    return {
        "date": upcoming[0].start if upcoming else None,
        "url": _url(rsvp_token(invitee, original)) if original else "",
        "series_url": _url(rsvp_token(invitee, None)),
    }


class RSVPInvalid(Exception):
    """Not a link we made (tampered or expired)."""


class RSVPWithdrawn(RSVPInvalid):
    """A link we made, for someone no longer invited or no longer with access."""


def occurrence_near(series: MeetingSeries, original: datetime.datetime):
    """The date of the series that `original` (an occurrence's start when a link
    or invitation was made) names now. After the series' time changed, the date
    is found by its local day, as the series' exceptions are; None when the
    series no longer meets that day."""
    existing = series.meetings.filter(original_start=original).first()
    if existing:
        return existing
    zone = series.zone
    day = original.astimezone(zone).date()
    margin = datetime.timedelta(days=1)
    for meeting in series.meetings.filter(
        original_start__gte=original - margin, original_start__lte=original + margin
    ):
        if meeting.original_start.astimezone(zone).date() == day:
            return meeting
    midnight = datetime.datetime.combine(day, datetime.time())
    found = series.local_occurrences(after=midnight, before=midnight + margin, limit=1)
    if not found:
        return None
    return _materialise(series, series.to_utc(found[0]))


def rsvp_resolve(token: str) -> tuple[Invitee, Meeting | None, bool]:
    """The invitee, the date a link answers for (None: the whole series) and
    whether the link named a date the series no longer has (it then answers for
    the series, and the page says so)."""
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=RSVP_MAX_AGE)
    except signing.BadSignature:
        raise RSVPInvalid from None
    invitee = (
        Invitee.objects.select_related("series__partnership", "user")
        .filter(pk=data.get("i"))
        .first()
    )
    if invitee is None:
        raise RSVPInvalid
    if not invitee.may_take_part():
        raise RSVPWithdrawn
    if not data.get("o"):
        return invitee, None, False
    try:
        original = datetime.datetime.strptime(data["o"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC
        )
    except ValueError:
        raise RSVPInvalid from None
    meeting = occurrence_near(invitee.series, original)
    return invitee, meeting, meeting is None


def _check_answer(response: str) -> None:
    if response not in Answer.values or response == Answer.NEEDS_ACTION:
        raise ValidationError("Answer accept, tentative or decline.")


@transaction.atomic
def rsvp_record(
    *,
    invitee: Invitee,
    meeting: Meeting | None,
    response: str,
    comment: str = "",
    by_mail: bool = False,
) -> Invitee | Attendance:
    """The invitee's own answer, authorised by their signed link or by their
    calendar program's reply: for one date (meeting), else for the series. It
    counts only while they are invited and (for an account) may still see the
    partnership."""
    invitee = (
        Invitee.objects.select_for_update(of=("self",))
        .select_related("series__partnership", "user")
        .get(pk=invitee.pk)
    )
    if meeting is not None and meeting.series_id != invitee.series_id:
        raise RSVPWithdrawn
    if not invitee.may_take_part():
        raise RSVPWithdrawn
    _check_answer(response)
    now = timezone.now()
    if meeting is not None and meeting.state == Meeting.State.CANCELLED:
        raise ValidationError("This meeting is cancelled; there is nothing to answer.")
    if meeting is None:
        record = invitee
        if not by_mail:
            # "Every date" on the RSVP page means every date still to come,
            # including ones answered alone before.
            Attendance.objects.filter(invitee=invitee, meeting__start__gte=now).update(
                response=Answer.NEEDS_ACTION, comment=""
            )
    else:
        record, _ = Attendance.objects.get_or_create(meeting=meeting, invitee=invitee)
    record.response = response
    record.responded_at = now
    record.comment = comment.strip()[:2000]
    record.save()
    series = invitee.series
    log(
        series.partnership,
        "meetings.rsvp",
        user=invitee.user,
        data={
            "series": series.title,
            "email": invitee.email,
            "response": Answer(response).label,
            "date": str(meeting) if meeting else "every date",
            "through": "calendar reply" if by_mail else "RSVP link",
        },
    )
    return record


def answers(meeting: Meeting, invitees: list[Invitee]) -> dict[int, tuple[str, str]]:
    """invitee pk → (answer, comment) for this date: their answer for the date
    if they gave one, else their answer for the series. One query."""
    own = {
        a.invitee_id: (a.response, a.comment)
        for a in meeting.attendance.exclude(response=Answer.NEEDS_ACTION)
    }
    return {i.pk: own.get(i.pk, (i.response, i.comment)) for i in invitees}


def roster(meeting: Meeting) -> list[tuple[str, str, list]]:
    """Who is coming to one meeting, grouped as the organiser reads it:
    (answer, label, [(invitee, comment)]) for coming, maybe, not coming and no
    answer. Two queries."""
    invitees = _active_invitees(meeting.series)
    said = answers(meeting, invitees)
    order = [Answer.ACCEPTED, Answer.TENTATIVE, Answer.DECLINED, Answer.NEEDS_ACTION]
    groups = {answer: [] for answer in order}
    for invitee in invitees:
        response, comment = said[invitee.pk]
        groups[response].append((invitee, comment))
    return [(answer, Answer(answer).label, groups[answer]) for answer in order]


@transaction.atomic
def rsvp_remind(*, meeting: Meeting, by) -> int:
    """Ask again those who have not answered for this date: each gets their own
    links by e-mail. Returns how many were asked."""
    # Read afresh: whether the series was sent or called off decides.
    series = MeetingSeries.objects.select_related("partnership").get(
        pk=meeting.series_id
    )
    _require(by, series.partnership, permissions.can_coordinate)
    if meeting.state != Meeting.State.SCHEDULED or meeting.start < timezone.now():
        raise ValidationError("Only a meeting still to come can be reminded of.")
    if not series.published or series.cancelled_at:
        raise ValidationError(
            "Send the invitations first; a reminder follows an invitation."
        )
    last = meeting.events.filter(
        action="remind", created_at__gt=timezone.now() - REMIND_AGAIN_AFTER
    ).first()
    if last is not None:
        raise ValidationError(
            "Those who had not answered were reminded less than a day ago "
            f"({when(last.created_at, series.timezone)}); give them time to answer."
        )
    invitees = _active_invitees(series)
    said = answers(meeting, invitees)
    silent = [
        i
        for i in invitees
        if said[i.pk][0] == Answer.NEEDS_ACTION and i.may_take_part(series.partnership)
    ]
    for invitee in silent:
        send_email(
            "meeting-reminder",
            to=[invitee.email],
            context={
                "series": series,
                "meeting": meeting,
                "invitee": invitee,
                "date_url": _url(rsvp_token(invitee, meeting.original_start)),
                "series_url": _url(rsvp_token(invitee, None)),
            },
        )
    MeetingEvent.objects.create(
        series=series,
        meeting=meeting,
        action="remind",
        user=by,
        note=f"Asked {len(silent)} who had not answered.",
    )
    _log(series, "remind_invitees", by, meeting=str(meeting), count=len(silent))
    return len(silent)
