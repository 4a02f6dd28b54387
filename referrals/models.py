"""Referrals between partner organisations: the partnership's protocol, and a
log of referrals with minimal personal data, consent and a closed feedback loop.
Statuses follow the HL7 FHIR SDOH referral task lifecycle."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from partnerships import permissions
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
        zone = timezone.get_current_timezone()
        return self.filter(
            requested_at__gte=datetime.datetime.combine(start, datetime.time(), zone),
            requested_at__lt=datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time(), zone
            ),
        )


def _reason_given(referral: Referral) -> bool:
    # The service puts the reason on the row before it asks for the move.
    return bool(referral.status_reason.strip())


def _loop_open(referral: Referral) -> bool:
    return referral.loop_closed_at is None


def _consent_not_revoked(referral: Referral) -> bool:
    return referral.consent_revoked_at is None


def _side_may(target: str):
    """The transition's permission: the access policy says which side makes
    which move (`permissions.may_move`), and whom the user acts for."""

    def check(referral: Referral, user) -> bool:
        return permissions.can_move_referral(user, referral, target)

    return check


def _receiver_closes_loop(referral: Referral, user) -> bool:
    return permissions.can_close_referral_loop(user, referral)


def _party_revokes_consent(referral: Referral, user) -> bool:
    return permissions.can_revoke_referral_consent(user, referral)


class Referral(ConcurrentTransitionMixin, models.Model):
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
    # Lifecycle. Protected: only the transitions below change it, and only
    # referrals.services calls them (select_for_update, history, audit, mail).
    status = FSMField(
        max_length=20,
        choices=Status.choices,
        default=Status.REQUESTED,
        db_index=True,
        protected=True,
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

    # Where a referral may still be cancelled or marked entered in error.
    UNFINISHED = [
        Status.REQUESTED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.ON_HOLD,
    ]

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

    def clean_fields(self, exclude=None):
        # clean_fields assigns every field back; the protected status refuses
        # that (and it is never a form's business anyway).
        super().clean_fields(exclude={*(exclude or ()), "status"})

    # -- lifecycle (called only from referrals.services) ----------------------
    # One transition per FHIR task status the referral can move to. `source`
    # is where it may come from; `conditions` what the row must hold;
    # `permission` who may make it (the access policy). A move that needs a
    # reason reads it from status_reason, which the service sets first.

    @transition(
        field=status,
        source=Status.REQUESTED,
        target=Status.ACCEPTED,
        permission=_side_may(Status.ACCEPTED),
    )
    def accept(self, *, at: datetime.datetime) -> None:
        self.acknowledged_at = self.acknowledged_at or at

    @transition(
        field=status,
        source=Status.REQUESTED,
        target=Status.REJECTED,
        conditions=[_reason_given],
        permission=_side_may(Status.REJECTED),
    )
    def reject(self, *, at: datetime.datetime) -> None:
        self.acknowledged_at = self.acknowledged_at or at
        self.finished_at = at

    @transition(
        field=status,
        source=[Status.ACCEPTED, Status.ON_HOLD],
        target=Status.IN_PROGRESS,
        permission=_side_may(Status.IN_PROGRESS),
    )
    def start(self, *, at: datetime.datetime) -> None:
        # Service starts once; coming back from hold keeps the first start.
        self.served_at = self.served_at or at

    @transition(
        field=status,
        source=[Status.ACCEPTED, Status.IN_PROGRESS],
        target=Status.ON_HOLD,
        conditions=[_reason_given],
        permission=_side_may(Status.ON_HOLD),
    )
    def hold(self, *, at: datetime.datetime) -> None:
        pass

    @transition(
        field=status,
        source=[Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD],
        target=Status.COMPLETED,
        permission=_side_may(Status.COMPLETED),
    )
    def complete(self, *, at: datetime.datetime) -> None:
        self.finished_at = at

    @transition(
        field=status,
        source=[Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD],
        target=Status.FAILED,
        conditions=[_reason_given],
        permission=_side_may(Status.FAILED),
    )
    def fail(self, *, at: datetime.datetime) -> None:
        self.finished_at = at

    @transition(
        field=status,
        source=UNFINISHED,
        target=Status.CANCELLED,
        conditions=[_reason_given],
        permission=_side_may(Status.CANCELLED),
    )
    def cancel(self, *, at: datetime.datetime) -> None:
        self.finished_at = at

    # Never once the referral is finished: the receiver's figures must not
    # change under it.
    @transition(
        field=status,
        source=UNFINISHED,
        target=Status.ENTERED_IN_ERROR,
        conditions=[_reason_given],
        permission=_side_may(Status.ENTERED_IN_ERROR),
    )
    def enter_in_error(self, *, at: datetime.datetime) -> None:
        self.finished_at = at

    # target=None: the status stays; django-fsm still checks source,
    # conditions and permission.
    @transition(
        field=status,
        source=[Status.COMPLETED, Status.FAILED, Status.REJECTED],
        target=None,
        conditions=[_loop_open],
        permission=_receiver_closes_loop,
    )
    def close_loop(
        self, *, at: datetime.datetime, feedback: str, satisfaction: int | None
    ) -> None:
        self.feedback = feedback
        self.satisfaction = satisfaction
        self.loop_closed_at = at

    @transition(
        field=status,
        source="*",
        target=None,
        conditions=[_consent_not_revoked],
        permission=_party_revokes_consent,
    )
    def revoke_consent(self, *, at: datetime.datetime) -> None:
        self.consent_revoked_at = at

    # The transition that makes each move, by the status it moves to.
    MOVES_BY_TARGET = {
        Status.ACCEPTED: "accept",
        Status.REJECTED: "reject",
        Status.IN_PROGRESS: "start",
        Status.ON_HOLD: "hold",
        Status.COMPLETED: "complete",
        Status.FAILED: "fail",
        Status.CANCELLED: "cancel",
        Status.ENTERED_IN_ERROR: "enter_in_error",
    }


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
