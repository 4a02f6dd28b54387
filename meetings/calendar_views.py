"""Calendar files and feed addresses in the workspace: a series' or one
meeting's .ics, and the page that issues a person's secret feed addresses."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from partnerships import permissions
from partnerships.views.base import breadcrumbs

from . import ical, services
from .models import FeedToken, Meeting
from .views import get_meeting_for, get_series_for


@require_safe
def series_ics(request, series_pk):
    series = get_series_for(request.user, series_pk)
    return _ics(services.series_calendar(series, method=None), f"{series.title}.ics")


def _ics(calendar, filename) -> HttpResponse:
    response = HttpResponse(
        ical.to_bytes(calendar), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def meeting_ics(request, meeting_pk):
    meeting = get_meeting_for(request.user, meeting_pk)
    series = meeting.series
    calendar = ical.build_calendar(
        [(series, [meeting] if meeting.is_moved else [], [])]
    )
    # A single meeting: the series event narrowed to this date.
    from icalendar import Calendar, Event

    single = Calendar()
    for key in ("prodid", "version", "calscale"):
        single.add(key, calendar.get(key))
    for component in calendar.walk("VTIMEZONE"):
        single.add_component(component)
    event = Event()
    event.add("uid", f"{series.uid}-{meeting.original_start:%Y%m%dT%H%M%SZ}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.start.astimezone(series.zone))
    event.add("dtend", meeting.end.astimezone(series.zone))
    event.add("summary", series.title)
    if meeting.location or series.location:
        event.add("location", meeting.location or series.location)
    if meeting.state == Meeting.State.CANCELLED:
        event.add("status", "CANCELLED")
    single.add_component(event)
    return _ics(single, f"{series.title} {meeting.start:%Y-%m-%d}.ics")


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
