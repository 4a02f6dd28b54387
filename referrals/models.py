"""Referrals between partner organisations: the partnership's protocol, and a
log of referrals with minimal personal data, consent and a closed feedback loop.
Statuses follow the HL7 FHIR SDOH referral task lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Organisation, Partnership


class ReferralProtocol(models.Model):
    """How partners refer: when, the steps, the data the receiver needs, consent
    and how quickly the sender hears back. One per partnership, versioned."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="referral_protocol"
    )
    version = models.PositiveIntegerField(default=1)
    criteria = models.TextField("when to refer")
    steps = models.TextField("the steps")
    # [{"name": "reason", "label": "Reason for referral", "type": "text",
    #   "required": true, "choices": []}, …]
    fields = models.JSONField(default=list, blank=True)
    collect_demographics = models.BooleanField(
        default=False,
        help_text="Ask for race/ethnicity, language, age band and ZIP code, for "
        "equity breakdowns (each optional for the client).",
    )
    consent_required = models.BooleanField(default=True)
    consent_text = models.TextField(
        blank=True,
        help_text="Who discloses, what information, to whom, for what purpose, how "
        "to revoke, when it expires.",
    )
    acknowledge_days = models.PositiveSmallIntegerField(
        "acknowledge within (working days)", default=2
    )
    outcome_days = models.PositiveSmallIntegerField("outcome within (days)", default=30)
    contacts = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Referral protocol v{self.version} of {self.partnership}"


class ReferralQuerySet(models.QuerySet):
    """Who sees which referrals is the access policy's rule:
    `permissions.referrals_visible_to(user, queryset)` and
    `permissions.referrals_counted_for(user, queryset)`."""

    def requested_between(self, start, end):
        """Requested on a day from `start` to `end` (dates, local time). A datetime
        range, not __date, so the database can use its index."""
        import datetime

        zone = timezone.get_current_timezone()
        return self.filter(
            requested_at__gte=datetime.datetime.combine(start, datetime.time(), zone),
            requested_at__lt=datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time(), zone
            ),
        )


class Referral(models.Model):
    """One person referred from one partner organisation to another."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        IN_PROGRESS = "in-progress", "In progress"
        ON_HOLD = "on-hold", "On hold"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        ENTERED_IN_ERROR = "entered-in-error", "Entered in error"

    class RaceEthnicity(models.TextChoices):
        # US federal categories (SPD 15, 2024), plus not answering.
        AIAN = "aian", "American Indian or Alaska Native"
        ASIAN = "asian", "Asian"
        BLACK = "black", "Black or African American"
        HISPANIC = "hispanic", "Hispanic or Latino"
        MENA = "mena", "Middle Eastern or North African"
        NHPI = "nhpi", "Native Hawaiian or Pacific Islander"
        WHITE = "white", "White"
        MULTIPLE = "multiple", "More than one"
        DECLINED = "declined", "Prefer not to answer"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="referrals"
    )
    protocol_version = models.PositiveIntegerField(default=1)
    sender = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    off_platform = models.BooleanField(
        default=False, help_text="Made by phone or paper and logged afterwards."
    )
    # Minimal personal data.
    local_reference = models.CharField(max_length=60)
    initials = models.CharField(max_length=6)
    birth_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    details = models.JSONField(default=dict, blank=True)
    race_ethnicity = models.CharField(
        max_length=12, choices=RaceEthnicity.choices, blank=True
    )
    language = models.CharField("primary language", max_length=40, blank=True)
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)
    # Consent.
    consent_given = models.BooleanField(default=False)
    consent_by = models.CharField("consent given by", max_length=120, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_scope = models.TextField(blank=True)
    consent_expires = models.DateField(null=True, blank=True)
    consent_revoked_at = models.DateTimeField(null=True, blank=True)
    # Lifecycle.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    status_reason = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    served_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    loop_closed_at = models.DateTimeField(null=True, blank=True)
    # Kept in step with the timestamps (see save) so metrics sort and count plain
    # integers in the database.
    seconds_to_acknowledge = models.PositiveIntegerField(null=True, editable=False)
    seconds_to_service = models.PositiveIntegerField(null=True, editable=False)
    seconds_to_close = models.PositiveIntegerField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["partnership", "requested_at"]),
            models.Index(fields=["receiver", "status"]),
            models.Index(fields=["sender", "status"]),
        ]

    def __str__(self):
        # No client detail: this is the title in audit logs and page titles.
        return f"Referral {self.pk}"

    def save(self, *args, **kwargs):
        self.refresh_durations()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "seconds_to_acknowledge",
                "seconds_to_service",
                "seconds_to_close",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("referrals:detail", args=[self.partnership_id, self.pk])

    def refresh_durations(self) -> None:
        def seconds(moment):
            if moment is None or self.requested_at is None:
                return None
            return max(0, int((moment - self.requested_at).total_seconds()))

        self.seconds_to_acknowledge = seconds(self.acknowledged_at)
        self.seconds_to_service = seconds(self.served_at)
        self.seconds_to_close = seconds(self.loop_closed_at)

    @property
    def age_band(self) -> str:
        age = timezone.localdate().year - self.birth_year
        for limit, label in [(18, "0–17"), (25, "18–24"), (45, "25–44"), (65, "45–64")]:
            if age < limit:
                return label
        return "65+"

    @property
    def consent_valid(self) -> bool:
        return (
            self.consent_given
            and self.consent_revoked_at is None
            and (
                self.consent_expires is None
                or self.consent_expires >= timezone.localdate()
            )
        )


class ReferralEvent(models.Model):
    """An append-only record of every change to a referral."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=40, default="status")
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.referral}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Referral events are append-only.")
        super().save(*args, **kwargs)
