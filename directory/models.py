"""The resource directory: partner organisations' services, kept current by a
named person, exported and imported as Open Referral HSDS 3.0."""

from __future__ import annotations

import datetime
import re
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partnerships.models import Organisation


class DirectoryServiceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def stale(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        limit = today - datetime.timedelta(days=settings.DIRECTORY_STALE_DAYS)
        return self.filter(
            models.Q(last_verified__isnull=True) | models.Q(last_verified__lt=limit)
        )


# iCalendar weekday codes, Monday first (Python's weekday()).
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class FeeKind(models.TextChoices):
    FREE = "free", "Free"
    SLIDING = "sliding", "Sliding scale"
    FEE = "fee", "Fee"


class DirectoryService(models.Model):
    """A service a partner organisation offers, as people looking for help see it."""

    FeeKind = FeeKind

    class Category(models.TextChoices):
        HOUSING = "housing", "Housing"
        HEALTH = "health", "Health care"
        FOOD = "food", "Food"
        FAMILY = "family", "Family support"
        YOUTH = "youth", "Youth"
        INCOME = "income", "Income and benefits"
        LEGAL = "legal", "Legal help"
        OTHER = "other", "Other"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location_uid = models.UUIDField(default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="directory_services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(
        max_length=20, choices=Category.choices, default=Category.OTHER, db_index=True
    )
    eligibility = models.TextField("who is eligible", blank=True)
    fees = models.CharField(max_length=300, blank=True)
    languages = models.CharField(
        max_length=300, blank=True, help_text="Comma-separated, e.g. English, Spanish."
    )
    required_documents = models.TextField(blank=True, help_text="One a line.")
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    opening_days = models.CharField(
        max_length=40,
        blank=True,
        default="MO,TU,WE,TH,FR",
        help_text="Weekdays open, as in iCalendar: MO,TU,WE,TH,FR.",
    )
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    # Opening hours are read on the service's own clock ("open now" for a
    # service two time zones away means open there).
    time_zone = models.CharField(max_length=64, default="America/New_York")
    # Where the service is, for distance from a ZIP code (WGS84 degrees).
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Eligibility the screener can check; empty means the service states none.
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    service_area = models.CharField(
        max_length=300,
        blank=True,
        help_text="ZIP codes or their first three digits the service takes people "
        "from, comma-separated; empty for anywhere.",
    )
    income_limit = models.PositiveIntegerField(
        "yearly household income limit (USD)", null=True, blank=True
    )
    fee_kind = models.CharField(
        max_length=10, choices=FeeKind.choices, blank=True, db_index=True
    )
    taxonomy_terms = models.CharField(
        max_length=300,
        blank=True,
        help_text="Open Eligibility / HSDS taxonomy term codes, comma-separated.",
    )
    published = models.BooleanField(default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Keeps this entry current.",
    )
    last_verified = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = DirectoryServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "directory service"
        indexes = [
            models.Index(
                fields=["published", "latitude", "longitude"],
                name="directory_service_place",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]

    @property
    def tel_href(self) -> str:
        """The phone number as a `tel:` link target: digits and a leading +."""
        digits = re.sub(r"[^\d+]", "", self.phone)
        return f"tel:{digits}" if digits else ""

    @property
    def opening_days_list(self) -> list[int]:
        """Weekdays open, Monday = 0."""
        return [
            DAYS.index(d) for d in self.opening_days.upper().split(",") if d in DAYS
        ]

    @property
    def opening_hours_text(self) -> str:
        """The hours as people read them: "Monday to Friday, 9:00 a.m.–5:00 p.m."."""
        days = self.opening_days_list
        if not days or not self.opens_at:
            return ""
        names = [str(WEEKDAYS[d]) for d in days]
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            when = _("%(first)s to %(last)s") % {"first": names[0], "last": names[-1]}
        else:
            when = ", ".join(names)
        hours = date_format(self.opens_at, "TIME_FORMAT")
        if self.closes_at:
            hours += "–" + date_format(self.closes_at, "TIME_FORMAT")
        return f"{when}, {hours}"

    @property
    def is_stale(self) -> bool:
        return DirectoryService.objects.filter(pk=self.pk).stale().exists()


class HSDSRecord(models.Model):
    """A row of an imported HSDS table, kept whole: what the workspace does not
    use (programs, contacts, taxonomies, …) goes out again as it came in."""

    table = models.CharField(max_length=40)
    hsds_id = models.CharField("HSDS id", max_length=100)
    # Column name -> cell text, empty cells left out.
    row = models.JSONField(default=dict)
    # The services whose export carries this row (HSDS ids), and the
    # organisation it belongs to: the public package shows a row only with a
    # published service or its organisation.
    service_ids = models.JSONField(default=list, blank=True)
    organization_id = models.CharField(max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The workspace organisation an HSDS organization row became.",
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "hsds_id"], name="hsds_record_once_per_table"
            )
        ]

    def __str__(self):
        return f"{self.table} {self.hsds_id}"
