import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_fsm import FSMField, transition


def timezone_choices() -> list[tuple[str, str]]:
    """IANA zones for forms; kept out of the model so migrations do not depend on
    the machine's tz database."""
    return [
        (name, name.replace("_", " "))
        for name in sorted(zoneinfo.available_timezones())
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    ]


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"“{value}” is not a time zone. Choose one from the list, for example "
            "America/New_York."
        ) from None


class Organisation(models.Model):
    """A service provider, agency or community group that takes part in partnerships."""

    class Kind(models.TextChoices):
        NONPROFIT = "nonprofit", "Nonprofit / community organisation"
        HEALTH = "health", "Health provider"
        PUBLIC = "public", "Public agency"
        HOUSING = "housing", "Housing provider"
        EDUCATION = "education", "School or education provider"
        FAITH = "faith", "Faith-based organisation"
        BUSINESS = "business", "Business"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(
        "type", max_length=20, choices=Kind.choices, default=Kind.NONPROFIT
    )
    email = models.EmailField("general e-mail", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        # Case-insensitive: "Riverside Clinic" and "riverside clinic" typed by two
        # partners are one organisation, or its people and history would split.
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organisation_name_unique_ci",
                violation_error_message=(
                    "An organisation with this name already exists. "
                    "Choose it from the list instead of creating it again."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.name = " ".join(self.name.split())
        if self.name and len(self.name) < 2:
            raise ValidationError({"name": "Enter the organisation's full name."})


class Membership(models.Model):
    """Ties a person to an organisation they work for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    job_title = models.CharField(max_length=120, blank=True)
    # A leadership viewer reads everything of the organisation's partnerships
    # and changes nothing; the policy treats them as not acting for it
    # (permissions.editing_org_ids_of), and they hold no partnership role.
    is_leadership = models.BooleanField(
        "leadership viewer",
        default=False,
        help_text="Leadership viewers follow every partnership of the organisation "
        "read-only, through dashboards and reports.",
    )
    is_admin = models.BooleanField(
        "organisation administrator",
        default=False,
        help_text="Administrators decide who works for the organisation in the "
        "workspace: they add colleagues and approve people that partners propose.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} at {self.organisation}"


def has_two_partners(partnership) -> bool:
    """A partnership works once at least two organisations take part in it."""
    return partnership.participations.count() >= 2


class Partnership(models.Model):
    """Two or more organisations working together for a shared community.

    Its status moves forming → active ⇄ renewing, and any of those → closed;
    only hub staff reopen a closed partnership (the policy refuses everyone
    else, since nobody but hub staff changes a closed partnership's record).
    """

    class Formality(models.IntegerChoices):
        NETWORKING = 1, "Networking: exchanging information"
        COOPERATION = 2, "Cooperation: sharing resources as needed"
        COORDINATION = 3, "Coordination: aligning activities and referrals"
        COALITION = 4, "Coalition: a written agreement with shared decisions"
        COLLABORATION = 5, "Collaboration: shared governance and collective action"

    class Status(models.TextChoices):
        FORMING = "forming", "Forming"
        ACTIVE = "active", "Active"
        RENEWING = "renewing", "Renewing"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200, unique=True)
    purpose = models.TextField(
        help_text="The common purpose: what the partners achieve together that none "
        "could alone."
    )
    success_criteria = models.TextField(
        blank=True,
        help_text="How partners will know the partnership is working, and when "
        "they check.",
    )
    formality = models.PositiveSmallIntegerField(
        choices=Formality.choices, default=Formality.COORDINATION
    )
    # Changed only through the transitions below, by services.partnership_move.
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.FORMING, db_index=True
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    timezone = models.CharField(
        max_length=64,
        default="America/New_York",
        validators=[validate_timezone],
        help_text="Meetings and deadlines are shown in this time zone.",
    )
    escalation_days = models.PositiveSmallIntegerField(
        "tell the coordinator after",
        default=7,
        help_text="Days a responsibility may be overdue before the coordinator is "
        "told too.",
    )
    shares_client_data = models.BooleanField(
        default=False,
        help_text="Partners exchange personal information about the people they "
        "serve (the MOU then needs a data-sharing section).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="partnership_term_ordered",
                violation_error_message="The end date must be on or after the "
                "start date.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:detail", args=[self.pk])

    # The transitions only move the status; services.partnership_move locks the
    # row, asks the policy, saves and records the change in the history.
    @transition(
        field=status,
        source=Status.FORMING,
        target=Status.ACTIVE,
        conditions=[has_two_partners],
    )
    def activate(self):
        pass

    @transition(field=status, source=Status.ACTIVE, target=Status.RENEWING)
    def start_renewal(self):
        pass

    @transition(field=status, source=Status.RENEWING, target=Status.ACTIVE)
    def renew(self):
        pass

    @transition(
        field=status,
        source=[Status.FORMING, Status.ACTIVE, Status.RENEWING],
        target=Status.CLOSED,
    )
    def close(self):
        pass

    @transition(
        field=status,
        source=Status.CLOSED,
        target=Status.ACTIVE,
        conditions=[has_two_partners],
    )
    def reopen(self):
        pass

    def clean(self):
        self.name = " ".join(self.name.split())
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {
                    "end_date": "The end date is before the start date. Enter an end "
                    "date on or after the start date, or leave it empty for an "
                    "open-ended partnership."
                }
            )

    @property
    def days_left(self) -> int | None:
        if not self.end_date:
            return None
        return (self.end_date - timezone.localdate()).days

    @cached_property
    def lead(self):
        for participation in self.participations.all():
            if participation.role == Participation.Role.LEAD:
                return participation.organisation
        return None


class Participation(models.Model):
    """An organisation's place in a partnership: its role and the people who act
    for it."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead partner"
        PARTNER = "partner", "Partner"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="participations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTNER)
    contribution = models.TextField(
        blank=True, help_text="What this organisation brings to the partnership."
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"],
                name="participation_unique",
                violation_error_message="This organisation already takes part in "
                "the partnership.",
            )
        ]

    def __str__(self):
        return f"{self.organisation} in {self.partnership}"


class PartnershipRole(models.Model):
    """A named person acting for their organisation in one partnership."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        CONTACT = "contact", "Point of contact"
        SIGNATORY = "signatory", "Signatory"

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="people"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partnership_roles",
    )
    # Roles are per partnership, not per organisation: the same person may
    # coordinate one partnership and only be a contact in another. One person
    # may hold several roles (coordinator and signatory) in one partnership.
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["role", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "user", "role"], name="partnership_role_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


class SustainabilityCommitment(models.Model):
    """What an organisation puts in to keep the partnership going."""

    class Kind(models.TextChoices):
        STAFF_TIME = "staff_time", "Staff time"
        MONEY = "money", "Funding"
        IN_KIND = "in_kind", "In-kind resources"
        SPONSOR = "sponsor", "Leadership sponsor"

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="commitments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=300)
    # Decimal, never float: funding figures are added up on reports.
    amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Hours per month for staff time; money per year for funding.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description}"

    def clean(self):
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": "Enter zero or a positive amount."})

    @property
    def amount_display(self) -> str:
        if self.amount is None:
            return ""
        if self.kind == self.Kind.STAFF_TIME:
            return f"{self.amount.normalize():f} h/month"
        if self.kind == self.Kind.MONEY:
            return f"${self.amount:,.0f}/year"
        return f"{self.amount.normalize():f}"


class Invitation(models.Model):
    """An e-mailed invitation for a person to join a partnership for an
    organisation; the link in it is signed, single-use and expires."""

    class PersonRole(models.TextChoices):
        MEMBER = "member", "Member (co-authors and updates)"
        COORDINATOR = "coordinator", "Coordinator"
        SIGNATORY = "signatory", "Signatory"
        CONTACT = "contact", "Point of contact"

    # The address, not a user: the person may have no account yet. Matching is
    # case-insensitive everywhere (the constraint below and acceptance).
    email = models.EmailField()
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(
        max_length=20, choices=PersonRole.choices, default=PersonRole.MEMBER
    )
    message = models.TextField(blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # An invitation makes its person a member of the organisation, so the
    # organisation must agree: it is approved when made by hub staff or one of
    # the organisation's administrators, or by one of them later. The founding
    # contact of an organisation created in the same step becomes its first
    # administrator.
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    founding = models.BooleanField(
        default=False,
        help_text="The first person of an organisation that was new to the "
        "workspace; they become its administrator.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Only one invitation per address per partnership may be waiting.
            models.UniqueConstraint(
                Lower("email"),
                "partnership",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} to {self.partnership}"

    @property
    def expires_at(self):
        """Links are valid for a week from when they were sent: on approval."""
        sent = self.approved_at or self.created_at
        return sent + timezone.timedelta(seconds=settings.INVITATION_MAX_AGE)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if not self.is_approved:
            return "awaiting approval"
        if self.is_expired:
            return "expired"
        return "pending"
