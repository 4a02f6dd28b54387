"""Meeting times as people must read them: on the partnership's clock, with the
zone named, and on the reader's own clock too when they chose another zone."""

from __future__ import annotations

import datetime
import zoneinfo

from django import template
from django.core.exceptions import ValidationError
from django.utils import dateformat

from ..recurrence import describe

register = template.Library()


def zone_label(name: str) -> str:
    """'America/New_York' → 'New York time'; 'UTC' stays 'UTC'."""
    if "/" not in name:
        return name
    return name.rsplit("/", 1)[1].replace("_", " ") + " time"


def _viewer_zone(user) -> str:
    """The zone the person chose in their account settings, or ''."""
    profile = getattr(user, "wagtail_userprofile", None) if user else None
    return getattr(profile, "current_time_zone", "") or ""


def when(
    value: datetime.datetime, zone: str, fmt: str = "l j F Y, H:i", viewer: str = ""
) -> str:
    """value (an aware instant) on the clock of `zone`, labelled; with the
    viewer's own clock after it when that reads differently."""
    if value is None:
        return ""
    local = value.astimezone(zoneinfo.ZoneInfo(zone))
    if not any(code in fmt for code in "GHgh"):
        return dateformat.format(local, fmt)  # a date alone needs no clock
    text = f"{dateformat.format(local, fmt)} ({zone_label(zone)})"
    if viewer and viewer != zone:
        theirs = value.astimezone(zoneinfo.ZoneInfo(viewer))
        if theirs.replace(tzinfo=None) != local.replace(tzinfo=None):
            same_day = theirs.date() == local.date()
            other = dateformat.format(theirs, "H:i" if same_day else fmt)
            text += f", {other} your time ({zone_label(viewer)})"
    return text


@register.simple_tag(takes_context=True)
def meeting_time(context, value, zone, fmt="l j F Y, H:i"):
    request = context.get("request")
    return when(value, zone, fmt, _viewer_zone(getattr(request, "user", None)))


@register.simple_tag
def zone_time(value, zone, fmt="l j F Y, H:i"):
    """For mail and public pages: the partnership's clock only."""
    return when(value, zone, fmt)


@register.filter
def zone_name(name: str) -> str:
    return zone_label(name)


@register.simple_tag
def cadence(series) -> str:
    """'Monthly on the second Tuesday, 10:00–11:00 New York time, 8 meetings'."""
    try:
        return describe(
            series.rrule,
            series.local_start,
            minutes=series.duration_minutes,
            zone=zone_label(series.timezone),
        )
    except (ValidationError, KeyError, ValueError):
        return series.rrule  # a stored rule the words do not cover
