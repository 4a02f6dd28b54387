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
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accountability.models import Responsibility
from partnerships import permissions
from partnerships.models import Organisation, Partnership

from .recurrence import validate_duration, validate_rule

logger = logging.getLogger(__name__)


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
    # Set once by meetings.services.series_cancel: the whole series is off, its
    # invitees were sent a cancellation and it leaves every calendar feed.
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
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


class Answer(models.TextChoices):
    """What an invitee said (iCalendar PARTSTAT, lower case)."""

    NEEDS_ACTION = "needs-action", "No answer yet"
    ACCEPTED = "accepted", "Coming"
    TENTATIVE = "tentative", "Maybe"
    DECLINED = "declined", "Not coming"


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
    # The answer for the whole series (RSVP link or a calendar program's REPLY
    # without RECURRENCE-ID); an Attendance row overrides it for one date.
    response = models.CharField(
        max_length=20, choices=Answer.choices, default=Answer.NEEDS_ACTION
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

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


class Meeting(ConcurrentTransitionMixin, models.Model):
    """One occurrence that has its own life: prepared, moved, cancelled or held.

    Lifecycle (django-fsm-2; meetings.services.lifecycle is the only caller):
    scheduled ──reschedule──▶ scheduled, scheduled ──cancel──▶ cancelled,
    scheduled ──hold──▶ held ──close──▶ closed. A series that is not yet
    published is the draft: its meetings exist but nobody has been invited."""

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
    # Protected: only the transitions below change it, never an assignment.
    state = FSMField(
        default=State.SCHEDULED,
        choices=State.choices,
        db_index=True,
        protected=True,
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

    # -- lifecycle (called only from meetings.services.lifecycle) ---------------

    @transition(field=state, source=State.SCHEDULED, target=State.SCHEDULED)
    def reschedule(self, *, start: datetime.datetime) -> None:
        # Calendars identify the occurrence by its original start, so only the
        # start and end move; the length stays as it was.
        self.end = start + (self.end - self.start)
        self.start = start

    @transition(field=state, source=State.SCHEDULED, target=State.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(field=state, source=State.SCHEDULED, target=State.HELD)
    def hold(self) -> None:
        self.held_at = timezone.now()

    @transition(field=state, source=State.HELD, target=State.CLOSED)
    def close(self, *, summary: str) -> None:
        self.summary = summary


class MeetingEvent(models.Model):
    """The meetings' own history: each sending of invitations, move, cancellation,
    holding and closing, with who did it and the state before and after."""

    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="events"
    )
    # Empty for what happens to the series as a whole (sending the invitations).
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.action} on {self.meeting or self.series}"


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

    Response = Answer

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance"
    )
    invitee = models.ForeignKey(Invitee, on_delete=models.CASCADE, related_name="+")
    response = models.CharField(
        max_length=20, choices=Response.choices, default=Response.NEEDS_ACTION
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
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


class FeedVersion(models.Model):
    """How many times a partnership's calendar content changed: feeds are keyed
    by it, so an unchanged feed is answered without reading the series tables."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="meeting_feed_version",
    )
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.partnership_id}: {self.version}"
