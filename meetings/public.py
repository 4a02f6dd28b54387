"""Reached without logging in, each guarded by its own token: calendar feeds
and RSVP links. A wrong, rotated or tampered token is a bare 404."""

import hashlib

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from partnerships import permissions

from . import ical, services
from .models import Attendance, FeedToken, Meeting, MeetingSeries, hash_token

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


@require_http_methods(["GET", "HEAD"])
def feed(request, token):
    record = (
        FeedToken.objects.select_related("user", "partnership")
        .filter(token_hash=hash_token(token), user__is_active=True)
        .first()
    )
    if record is None:
        raise Http404
    if record.partnership_id and not permissions.can_view(
        record.user, record.partnership
    ):
        # The owner lost sight of the partnership: the feed stops, as if rotated.
        raise Http404
    series = _feed_series(record)
    # Cheap fingerprint first: an unchanged feed answers 304 without building it.
    stamp = series.aggregate(
        changed=Max("updated_at"),
        meetings_changed=Max("meetings__updated_at"),
        n=Count("id", distinct=True),
    )
    latest = max(
        filter(None, [stamp["changed"], stamp["meetings_changed"]]), default=None
    )
    etag = quote_etag(
        hashlib.sha256(
            f"{record.token_hash}:{stamp['n']}:{latest}".encode()
        ).hexdigest()[:32]
    )
    modified = int(latest.timestamp()) if latest else None
    # Weak and listed ETags and If-Modified-Since, as RFC 9110 says.
    unchanged = get_conditional_response(request, etag=etag, last_modified=modified)
    if unchanged is not None:
        return _cache_headers(unchanged, etag, modified)
    entries = []
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
    response = HttpResponse(
        ical.to_bytes(calendar), content_type="text/calendar; charset=utf-8"
    )
    return _cache_headers(response, etag, modified)


def _cache_headers(response, etag: str, modified: int | None):
    """The same validators and Cache-Control on a 200 and on its 304."""
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "private, max-age=300"
    return response


@never_cache
def rsvp(request, token):
    try:
        invitee, meeting = services.rsvp_resolve(token)
    except services.RSVPWithdrawn:
        # A genuine link whose invitee is no longer invited or lost access: say
        # so plainly, and show nothing of the meeting.
        return render(request, "meetings/rsvp_withdrawn.html", status=410)
    except services.RSVPInvalid:
        raise Http404 from None
    recorded = error = None
    if request.method == "POST":
        try:
            recorded = services.rsvp_record(
                invitee=invitee,
                meeting=meeting,
                response=request.POST.get("response", ""),
            )
        except services.RSVPWithdrawn:
            return render(request, "meetings/rsvp_withdrawn.html", status=410)
        except ValidationError as refused:
            error = " ".join(refused.messages)
    current = Attendance.objects.filter(meeting=meeting, invitee=invitee).first()
    return render(
        request,
        "meetings/rsvp.html",
        {
            "invitee": invitee,
            "meeting": meeting,
            "series": meeting.series,
            "current": current,
            "recorded": recorded,
            "error": error,
            "choices": [
                (value, label)
                for value, label in Attendance.Response.choices
                if value != Attendance.Response.NEEDS_ACTION
            ],
        },
    )
