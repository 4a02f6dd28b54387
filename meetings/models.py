"""Review cadences and the meetings they produce: agendas, minutes, decisions,
actions and who comes. Occurrences follow the series' RRULE; a Meeting row
exists for an occurrence once someone moves, cancels, prepares or holds it."""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import uuid
import zoneinfo

from dateutil import rrule
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from partnerships import permissions
from partnerships.models import Organisation, Partnership, Responsibility

logger = logging.getLogger(__name__)

# Bounds for a meeting cadence. Calendars, time-zone tables and every subscriber's
# client expand the rule, so one absurd series must never reach them.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
MAX_INTERVAL = {"DAILY": 366, "WEEKLY": 104, "MONTHLY": 24, "YEARLY": 5}
MAX_COUNT = 1000
MIN_DURATION, MAX_DURATION = 5, 24 * 60
# What the series form writes; anything else in a rule is refused.
RULE_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"}


class SeriesQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=permissions.visible_partnerships(user))


class MeetingSeries(models.Model):
    """A recurring review: when partners meet, where, who is invited."""

    class Kind(models.TextChoices):
        SHARED_REVIEW = "shared_review", "Shared-participant review"
        OPERATIONAL = "operational", "Operational meeting"
        STRATEGIC = "strategic", "Strategic review"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="meeting_series"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    rrule = models.CharField(
        "recurrence rule",
        max_length=300,
        help_text="RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=2TU.",
    )
    start = models.DateTimeField(help_text="The first occurrence, wall-clock time.")
    duration_minutes = models.PositiveIntegerField(default=60)
    timezone = models.CharField(max_length=64)
    location = models.CharField(max_length=300, blank=True)
    video_url = models.URLField("video link", blank=True)
    agenda_template = models.TextField(
        blank=True,
        help_text="One agenda item a line; each new meeting starts with them.",
    )
    uid = models.CharField(max_length=120, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published = models.BooleanField(
        default=False,
        help_text="Invitations have been sent; changes notify invitees.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5), name="series_duration_min"
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.uid:
            self.uid = f"series-{uuid.uuid4()}@partnership-workspace"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("meetings:series", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime.datetime:
        """The first occurrence as naive wall-clock time in the series' zone."""
        return timezone.localtime(self.start, self.zone).replace(tzinfo=None)

    def rule(self) -> rrule.rrule:
        return rrule.rrulestr(self.rrule, dtstart=self.local_start)

    def local_occurrences(
        self,
        *,
        after: datetime.datetime | None = None,
        before: datetime.datetime | None = None,
        limit: int = 500,
    ) -> list[datetime.datetime]:
        """Naive wall-clock starts, as RFC 5545 expands them in the series' zone
        (impossible dates such as 31 April are skipped, as the RFC says)."""
        results = []
        try:
            rule = self.rule()
            values = rule.xafter(after, inc=True) if after else iter(rule)
            for value in values:
                if before is not None and value >= before:
                    break
                results.append(value)
                if len(results) >= limit:
                    break
        except (ValueError, TypeError, OverflowError, LookupError):
            # A stored rule that cannot be expanded (written before the bounds
            # existed, or straight to the database) shows what it can and no more.
            logger.warning("Meeting series %s: its rule cannot be expanded", self.pk)
        return results

    def problem(self) -> str | None:
        """Why this stored series cannot go into a calendar, or None when it can."""
        try:
            self.zone  # noqa: B018 - raises for an unknown time zone
            validate_rule(self.rrule, self.local_start)
            validate_duration(self.duration_minutes)
        except ValidationError as error:
            return " ".join(error.messages)
        except (ValueError, TypeError, OverflowError, LookupError) as error:
            return str(error)
        return None

    def to_utc(self, local: datetime.datetime) -> datetime.datetime:
        return local.replace(tzinfo=self.zone).astimezone(datetime.UTC)

    @property
    def duration(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.duration_minutes)


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


class Invitee(models.Model):
    """Someone invited to a series: a workspace user or a bare e-mail address."""

    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="invitees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "email"], name="invitee_once_per_series"
            )
        ]

    def __str__(self):
        return self.name or self.email

    @property
    def display(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def accounts(self) -> list:
        """The workspace accounts this invitee is: the linked user, or else any
        account with the same address (an address alone can still be a person)."""
        from django.contrib.auth import get_user_model

        if self.user_id:
            return [self.user]
        return list(get_user_model().objects.filter(email__iexact=self.email))

    def may_take_part(self, partnership: Partnership | None = None) -> bool:
        """Still invited, and if the invitee is a workspace account, that account is
        active and may still see the partnership. Decided again at every use: an
        RSVP link, an invitation leaving, a minutes e-mail."""
        from partnerships import permissions

        if self.removed_at is not None:
            return False
        partnership = partnership or self.series.partnership
        accounts = self.accounts()
        if not accounts:
            return True  # a bare address: invited while it stays on the list
        return any(
            user.is_active and permissions.can_view(user, partnership)
            for user in accounts
        )


class Meeting(models.Model):
    """One occurrence that has its own life: prepared, moved, cancelled or held."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="meetings"
    )
    # The occurrence's original start (RECURRENCE-ID), in UTC.
    original_start = models.DateTimeField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.SCHEDULED, db_index=True
    )
    location = models.CharField(max_length=300, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    summary = models.TextField("minutes summary", blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "original_start"], name="meeting_once_per_occurrence"
            )
        ]
        indexes = [models.Index(fields=["series", "start"])]

    def __str__(self):
        local = timezone.localtime(self.start, self.series.zone)
        return f"{self.series.title}, {local:%d %b %Y %H:%M}"

    def get_absolute_url(self):
        return reverse("meetings:meeting", args=[self.pk])

    @property
    def is_moved(self) -> bool:
        return self.start != self.original_start

    @property
    def agenda_minutes(self) -> int:
        return sum(item.minutes_allotted or 0 for item in self.agenda.all())

    @property
    def length_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class AgendaItem(models.Model):
    """A topic for one meeting, with its minutes once discussed."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda"
    )
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    minutes_allotted = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    minutes = models.TextField("minutes of the discussion", blank=True)
    responsibility = models.ForeignKey(
        Responsibility,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
        help_text="The responsibility this item discusses.",
    )
    done = models.BooleanField(default=False)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class Decision(models.Model):
    """What the meeting decided."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class Action(models.Model):
    """Something someone agreed to do; it becomes a tracked responsibility."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="actions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return self.meeting.get_absolute_url() + f"#action-{self.pk}"


class Attendance(models.Model):
    """An invitee's answer for one meeting, and whether they came."""

    class Response(models.TextChoices):
        NEEDS_ACTION = "needs-action", "No answer yet"
        ACCEPTED = "accepted", "Coming"
        TENTATIVE = "tentative", "Maybe"
        DECLINED = "declined", "Not coming"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance"
    )
    invitee = models.ForeignKey(Invitee, on_delete=models.CASCADE, related_name="+")
    response = models.CharField(
        max_length=20, choices=Response.choices, default=Response.NEEDS_ACTION
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "invitee"], name="attendance_once"
            )
        ]

    def __str__(self):
        return f"{self.invitee}: {self.get_response_display()}"


class Delivery(models.Model):
    """One invitation e-mail: queued, sent, or failed (and retried by tick)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        WITHHELD = "withheld", "Not sent: no longer invited or no longer has access"

    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="deliveries"
    )
    email = models.EmailField()
    method = models.CharField(max_length=10)
    sequence = models.PositiveIntegerField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    calendar = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.method} to {self.email} ({self.status})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FeedToken(models.Model):
    """A secret calendar-feed address: a person's meetings, or one partnership's.
    Only its hash is stored; rotating replaces it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(partnership__isnull=True),
                name="one_personal_feed",
            ),
            models.UniqueConstraint(
                fields=["user", "partnership"],
                condition=models.Q(partnership__isnull=False),
                name="one_feed_per_partnership",
            ),
        ]

    def __str__(self):
        return f"Feed for {self.user}" + (
            f" ({self.partnership})" if self.partnership_id else ""
        )

    @classmethod
    def issue(cls, *, user, partnership=None) -> str:
        """A new token for the scope (the old one stops working); returns it."""
        token = secrets.token_urlsafe(32)
        cls.objects.update_or_create(
            user=user,
            partnership=partnership,
            defaults={"token_hash": hash_token(token)},
        )
        return token
