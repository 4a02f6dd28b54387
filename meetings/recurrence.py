"""What a calendar can hold: the bounds of a meeting cadence and the checks that
refuse a rule, a date or a length outside them. Pure functions, no database."""

from __future__ import annotations

import datetime

from dateutil import rrule
from django.core.exceptions import ValidationError

# Bounds for a meeting cadence. Calendars, time-zone tables and every subscriber's
# client expand the rule, so one absurd series must never reach them.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
MAX_INTERVAL = {"DAILY": 366, "WEEKLY": 104, "MONTHLY": 24, "YEARLY": 5}
MAX_COUNT = 1000
MIN_DURATION, MAX_DURATION = 5, 24 * 60
# What the series form writes; anything else in a rule is refused.
RULE_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"}


def _rule_parts(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    body = text.strip().upper().removeprefix("RRULE:")
    for piece in body.split(";"):
        name, equals, value = piece.strip().partition("=")
        if not equals or not name or not value:
            raise ValidationError(
                f"The recurrence rule is not valid: “{piece}” is not NAME=value. "
                "Write it like FREQ=MONTHLY;BYDAY=2TU."
            )
        if name not in RULE_PARTS:
            raise ValidationError(
                f"The recurrence rule may not use {name}: a meeting series repeats by "
                "FREQ, INTERVAL, BYDAY or BYMONTHDAY, and ends by COUNT or UNTIL."
            )
        if name in parts:
            raise ValidationError(f"The recurrence rule names {name} twice.")
        parts[name] = value
    return parts


def _bounded_int(parts: dict, name: str, low: int, high: int, message: str) -> None:
    value = parts.get(name)
    if value is None:
        return
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValidationError(message)


def validate_start(start: datetime.datetime | datetime.date, what="first meeting"):
    """A meeting date calendars can hold: between EARLIEST_YEAR and LATEST_YEAR."""
    if not EARLIEST_YEAR <= start.year <= LATEST_YEAR:
        raise ValidationError(
            f"The {what} must be between the years {EARLIEST_YEAR} and "
            f"{LATEST_YEAR}; check the date (for example 2026-10-13)."
        )


def validate_duration(minutes: int) -> None:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise ValidationError(
            f"A meeting lasts from {MIN_DURATION} to {MAX_DURATION} minutes; "
            "for a longer event, schedule several meetings."
        )


def validate_rule(text: str, start: datetime.datetime) -> None:
    """Refuse a cadence no calendar can hold: unknown parts, an interval or count
    out of bounds, a first meeting or an end outside EARLIEST_YEAR–LATEST_YEAR."""
    validate_start(start)
    parts = _rule_parts(text)
    frequency = parts.get("FREQ")
    if frequency not in MAX_INTERVAL:
        raise ValidationError(
            "Say how often the series repeats: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."
        )
    interval = parts.get("INTERVAL", "1")
    if interval.isdigit() and int(interval) == 0:
        raise ValidationError("The interval must be 1 or more.")
    most = MAX_INTERVAL[frequency]
    unit = {"DAILY": "days", "WEEKLY": "weeks", "MONTHLY": "months", "YEARLY": "years"}
    _bounded_int(
        parts,
        "INTERVAL",
        1,
        most,
        f"The interval must be a whole number from 1 to {most} "
        f"(every 1 to {most} {unit[frequency]}).",
    )
    _bounded_int(
        parts,
        "COUNT",
        1,
        MAX_COUNT,
        f"A series has from 1 to {MAX_COUNT} meetings; for a longer one, give an "
        "end date instead or start a new series later.",
    )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValidationError("End the series by a date or by a number, not both.")
    until = parts.get("UNTIL", "")
    if until and not (
        until[:4].isdigit() and EARLIEST_YEAR <= int(until[:4]) <= LATEST_YEAR
    ):
        raise ValidationError(
            f"The series must end by {LATEST_YEAR}-12-31; choose an earlier end date."
        )
    try:
        rule = rrule.rrulestr(text, dtstart=start)
    except (ValueError, TypeError, OverflowError) as error:
        raise ValidationError(f"The recurrence rule is not valid: {error}.") from None
    if rule.after(start, inc=True) is None:
        raise ValidationError(
            "This rule produces no meetings: the end comes before the first date."
        )


def first_occurrence(text: str, start: datetime.datetime) -> datetime.datetime:
    """The first date the rule really gives on or after `start` (naive wall-clock).
    RFC 5545 counts DTSTART as the first meeting whether or not the rule gives
    it, so a series always starts on this date, never on the date typed."""
    first = rrule.rrulestr(text, dtstart=start).after(start, inc=True)
    if first is None:
        raise ValidationError(
            "This rule produces no meetings: the end comes before the first date."
        )
    return first


ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
ORDINALS |= {-2: "second to last"}
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
EVERY_ONE = {"DAILY": "Daily", "WEEKLY": "Weekly", "MONTHLY": "Monthly"}
EVERY_ONE |= {"YEARLY": "Yearly"}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _days(codes: list[str]) -> str:
    """'MO,TU,WE,TH,FR' → 'Monday to Friday'; 'MO,WE' → 'Monday and Wednesday'."""
    order = list(DAY_NAMES)
    positions = sorted(order.index(code) for code in codes)
    if len(positions) > 2 and positions == list(range(positions[0], positions[-1] + 1)):
        return f"{DAY_NAMES[order[positions[0]]]} to {DAY_NAMES[order[positions[-1]]]}"
    return _and([DAY_NAMES[order[p]] for p in positions])


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def describe(
    text: str,
    start: datetime.datetime,
    *,
    minutes: int | None = None,
    zone: str = "",
) -> str:
    """A rule as people say it: 'Monthly on the second Tuesday, 10:00–11:00
    New York time, 8 meetings'. `start` is the first meeting (wall-clock)."""
    parts = _rule_parts(text)
    frequency = parts["FREQ"]
    interval = int(parts.get("INTERVAL", "1"))
    if interval == 1:
        words = EVERY_ONE[frequency]
    else:
        words = f"Every {interval} {UNITS[frequency]}s"
    byday = [code for code in parts.get("BYDAY", "").split(",") if code]
    if byday:
        nth = [code[:-2] for code in byday if code[:-2]]
        if nth and frequency in ("MONTHLY", "YEARLY"):
            words += " on " + _and(
                [
                    f"the {ORDINALS.get(int(code[:-2]), code[:-2])} "
                    f"{DAY_NAMES[code[-2:]]}"
                    for code in byday
                ]
            )
        else:
            words += " on " + _days([code[-2:] for code in byday])
    elif parts.get("BYMONTHDAY"):
        days = [_ordinal(int(day)) for day in parts["BYMONTHDAY"].split(",")]
        words += f" on the {_and(days)}"
    elif frequency == "WEEKLY":
        words += f" on {start:%A}"
    elif frequency == "MONTHLY":
        words += f" on the {_ordinal(start.day)}"
    elif frequency == "YEARLY":
        words += f" on {start.day} {start:%B}"
    clock = f"{start:%H:%M}"
    if minutes:
        clock += f"–{start + datetime.timedelta(minutes=minutes):%H:%M}"
    words += f", {clock}"
    if zone:
        words += f" {zone}"
    if parts.get("COUNT"):
        count = int(parts["COUNT"])
        words += f", {count} meeting{'s' if count != 1 else ''}"
    elif parts.get("UNTIL"):
        until = datetime.datetime.strptime(parts["UNTIL"][:8], "%Y%m%d")
        words += f", until {until.day} {until:%B %Y}"
    return words
