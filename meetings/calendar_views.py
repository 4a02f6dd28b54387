"""Calendar files and feed addresses in the workspace: a series' or one
meeting's .ics, and the page that issues a person's secret feed addresses."""

import unicodedata
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from partnerships import permissions
from partnerships.views.base import breadcrumbs

from . import ical, services
from .models import FeedToken
from .views import get_meeting_for, get_series_for


@require_safe
def series_ics(request, series_pk):
    series = get_series_for(request.user, series_pk)
    return _ics(services.series_calendar(series, method=None), f"{series.title}.ics")


@require_safe
def meeting_ics(request, meeting_pk):
    meeting = get_meeting_for(request.user, meeting_pk)
    series = meeting.series
    local = meeting.start.astimezone(series.zone)
    return _ics(
        ical.meeting_calendar(series, meeting), f"{series.title} {local:%Y-%m-%d}.ics"
    )


def _ics(calendar, filename: str) -> HttpResponse:
    response = HttpResponse(
        ical.to_bytes(calendar), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = _disposition(filename)
    return response


def _disposition(filename: str) -> str:
    """RFC 6266: an ASCII filename for old clients, and the real name as an
    RFC 5987 filename* when it goes beyond ASCII (never RFC 2047 in HTTP)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore")
    fallback = content_disposition_header(True, ascii_name.decode())
    if ascii_name.decode() == filename:
        return fallback
    return f"{fallback}; filename*=utf-8''{quote(filename, safe='')}"


def feeds(request):
    """The person's calendar-feed addresses; shown once when (re)issued."""
    new_urls = {}
    if request.method == "POST":
        scope = request.POST.get("scope", "")
        partnership = None
        if scope.isdigit():
            partnership = permissions.get_partnership_for(request.user, int(scope))
        token = FeedToken.issue(user=request.user, partnership=partnership)
        url = request.build_absolute_uri(reverse("meetings_feed", args=[token]))
        new_urls[scope or "personal"] = (url, "webcal://" + url.split("://", 1)[1])
        messages.success(
            request,
            "New feed address created; the old one has stopped working. Copy it now: "
            "it is shown only once.",
        )
    existing = {
        (t.partnership_id or "personal")
        for t in FeedToken.objects.filter(user=request.user)
    }
    partnerships = list(
        permissions.visible_partnerships(request.user).order_by("name")[:100]
    )
    return render(
        request,
        "meetings/feeds.html",
        {
            "page_title": "Calendar feeds",
            "breadcrumbs_items": breadcrumbs(),
            "partnerships": partnerships,
            "existing": existing,
            "new_urls": new_urls,
        },
    )
