"""Reached without logging in, each guarded by its own token: calendar feeds
and RSVP links. A wrong, rotated or tampered token is a bare 404."""

import datetime
import hashlib

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from partnerships import permissions

from . import ical, services
from .models import (
    Answer,
    Attendance,
    FeedToken,
    Meeting,
    MeetingSeries,
    hash_token,
)

REFRESH = "PT1H"


def _feed_series(feed: FeedToken):
    visible = permissions.visible_partnerships(feed.user)
    series = MeetingSeries.objects.filter(
        partnership__in=visible, published=True, cancelled_at__isnull=True
    )
    if feed.partnership_id:
        return series.filter(partnership_id=feed.partnership_id)
    return series.filter(
        Q(invitees__user=feed.user) | Q(invitees__email__iexact=feed.user.email),
        invitees__removed_at__isnull=True,
    ).distinct()


# A full feed body stays in the cache this long at most; a change gives the
# feed a new key long before, so this only bounds what unchanged feeds keep.
BODY_SECONDS = 7 * 24 * 3600


def _feed_key(record: FeedToken) -> tuple[str, int | None] | None:
    """The feed's key (its ETag) and when its content last changed, from the
    token and the calendar version of each partnership it may show; None when
    the owner no longer sees the partnership of a partnership feed. One query,
    and none of the series tables: the version rows are written by every change
    that alters what a feed shows (meetings.services.feeds_changed)."""
    visible = permissions.visible_partnerships(record.user)
    if record.partnership_id:
        visible = visible.filter(pk=record.partnership_id)
    rows = sorted(
        visible.values_list(
            "pk", "meeting_feed_version__version", "meeting_feed_version__changed_at"
        )
    )
    if record.partnership_id and not rows:
        return None  # the owner lost sight of the partnership: as if rotated
    material = ",".join(f"{pk}.{version or 0}" for pk, version, _ in rows)
    latest = max((changed for *_, changed in rows if changed), default=None)
    digest = hashlib.sha256(
        f"{record.token_hash}:{record.user.email.lower()}:{material}".encode()
    ).hexdigest()[:32]
    return digest, int(latest.timestamp()) if latest else None


@require_http_methods(["GET", "HEAD"])
def feed(request, token):
    """A calendar feed. Unchanged, it costs two queries (the token, the versions
    of what it shows): a 304 from the validators, or the body from the cache
    shared by every web process (Redis in production), keyed by those versions
    so a change anywhere is seen everywhere at once."""
    record = (
        FeedToken.objects.select_related("user", "partnership")
        .filter(token_hash=hash_token(token), user__is_active=True)
        .first()
    )
    if record is None:
        raise Http404
    key = _feed_key(record)
    if key is None:
        raise Http404
    digest, modified = key
    etag = quote_etag(digest)
    # Weak and listed ETags and If-Modified-Since, as RFC 9110 says.
    unchanged = get_conditional_response(request, etag=etag, last_modified=modified)
    if unchanged is not None:
        return _cache_headers(unchanged, etag, modified)
    cache_key = f"meetings:feed:{digest}"
    body = cache.get(cache_key)
    if body is None:
        body = _feed_body(record)
        cache.set(cache_key, body, BODY_SECONDS)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    return _cache_headers(response, etag, modified)


def _feed_body(record: FeedToken) -> bytes:
    entries = []
    series = _feed_series(record)
    for item in series.select_related("partnership", "organiser").prefetch_related(
        "meetings"
    ):
        overrides = [
            m
            for m in item.meetings.all()
            if m.state == Meeting.State.CANCELLED or m.is_moved
        ]
        entries.append((item, overrides, []))
    name = (
        f"{record.partnership.name} meetings"
        if record.partnership_id
        else f"Meetings of {record.user.get_full_name() or record.user.username}"
    )
    calendar = ical.build_calendar(
        entries, name=name, refresh=REFRESH, skip_broken=True
    )
    return ical.to_bytes(calendar)


def _cache_headers(response, etag: str, modified: int | None):
    """The same validators and Cache-Control on a 200 and on its 304."""
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "private, max-age=300"
    return response


@never_cache
def rsvp(request, token):
    """One invitee's answer, for one date or for the whole series, with a comment
    for the organiser. The link keeps working when the series' time changes."""
    try:
        invitee, meeting, date_gone = services.rsvp_resolve(token)
    except services.RSVPWithdrawn:
        # A genuine link whose invitee is no longer invited or lost access: say
        # so plainly, and show nothing of the meeting.
        return render(request, "meetings/rsvp_withdrawn.html", status=410)
    except services.RSVPInvalid:
        raise Http404 from None
    series = invitee.series
    recorded = error = None
    if request.method == "POST":
        scope = request.POST.get("scope", "date" if meeting else "series")
        try:
            record = services.rsvp_record(
                invitee=invitee,
                meeting=meeting if scope == "date" else None,
                response=request.POST.get("response", ""),
                comment=request.POST.get("comment", ""),
            )
        except services.RSVPWithdrawn:
            return render(request, "meetings/rsvp_withdrawn.html", status=410)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            recorded = (record.get_response_display(), scope)
            invitee.refresh_from_db()
    now = timezone.now()
    dates = []
    if meeting is None and series.cancelled_at is None:
        upcoming = services.occurrences(
            series, start=now, end=now + datetime.timedelta(days=400), limit=6
        )
        own = dict(
            Attendance.objects.filter(invitee=invitee)
            .exclude(response=Answer.NEEDS_ACTION)
            .values_list("meeting_id", "response")
        )
        dates = [
            (
                o,
                Answer(own.get(o.meeting.pk if o.meeting else None, invitee.response)),
                reverse(
                    "meetings_rsvp",
                    args=[services.rsvp_token(invitee, o.original_start)],
                ),
            )
            for o in upcoming
            if not o.cancelled
        ]
    current = invitee.response
    if meeting is not None:
        current = services.answers(meeting, [invitee])[invitee.pk][0]
    return render(
        request,
        "meetings/rsvp.html",
        {
            "invitee": invitee,
            "meeting": meeting,
            "series": series,
            "date_gone": date_gone,
            "current": Answer(current),
            "dates": dates,
            "recorded": recorded,
            "error": error,
            "series_url": reverse(
                "meetings_rsvp", args=[services.rsvp_token(invitee, None)]
            ),
            "choices": [
                (value, label)
                for value, label in Answer.choices
                if value != Answer.NEEDS_ACTION
            ],
        },
    )
