"""Logic models: how partners expect their work to lead to change, and the
indicators that tell them whether it does."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Organisation, Partnership, Responsibility


class ModelQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class LogicModel(models.Model):
    """A partnership's theory of change, versioned: draft → adopted → retired."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ADOPTED = "adopted", "Adopted"
        RETIRED = "retired", "Retired"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="logic_models"
    )
    title = models.CharField(max_length=200)
    problem_statement = models.TextField(blank=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    next_review = models.DateField("next review date", null=True, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ModelQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("logicmodels:model", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT


class Element(models.Model):
    """A box in the model: a resource, activity, output, outcome, impact,
    assumption or external factor."""

    class Kind(models.TextChoices):
        INPUT = "input", "Inputs and resources"
        ACTIVITY = "activity", "Activities"
        OUTPUT = "output", "Outputs"
        SHORT = "short", "Short-term outcomes"
        INTERMEDIATE = "intermediate", "Intermediate outcomes"
        LONG = "long", "Long-term outcomes"
        IMPACT = "impact", "Impact"
        ASSUMPTION = "assumption", "Assumptions"
        EXTERNAL = "external", "External factors"

    FLOW = [
        Kind.INPUT,
        Kind.ACTIVITY,
        Kind.OUTPUT,
        Kind.SHORT,
        Kind.INTERMEDIATE,
        Kind.LONG,
        Kind.IMPACT,
    ]
    MEASURABLE = {Kind.OUTPUT, Kind.SHORT, Kind.INTERMEDIATE, Kind.LONG, Kind.IMPACT}
    OUTCOMES = {Kind.SHORT, Kind.INTERMEDIATE, Kind.LONG, Kind.IMPACT}

    model = models.ForeignKey(
        LogicModel, on_delete=models.CASCADE, related_name="elements"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)
    responsibilities = models.ManyToManyField(
        Responsibility, blank=True, related_name="logic_model_elements"
    )
    clauses = models.ManyToManyField(
        "mou.Clause",
        blank=True,
        related_name="logic_model_elements",
        help_text="MOU clauses this outcome depends on.",
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class Link(models.Model):
    """Why one element leads to another (the model stays free of cycles)."""

    model = models.ForeignKey(
        LogicModel, on_delete=models.CASCADE, related_name="links"
    )
    source = models.ForeignKey(
        Element, on_delete=models.CASCADE, related_name="outgoing"
    )
    target = models.ForeignKey(
        Element, on_delete=models.CASCADE, related_name="incoming"
    )
    rationale = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="link_once"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="link_not_to_self"
            ),
        ]

    def __str__(self):
        return f"{self.source} → {self.target}"


class Indicator(models.Model):
    """How partners measure an output or outcome (an indicator reference sheet)."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percent"
        RATE = "rate", "Rate"
        DAYS = "days", "Days"
        SCORE = "score", "Score"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        YEARLY = "yearly", "Yearly"

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    FREQUENCY_DAYS = {"monthly": 31, "quarterly": 92, "yearly": 366}

    element = models.ForeignKey(
        Element, on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.COUNT)
    numerator = models.CharField(max_length=300, blank=True)
    denominator = models.CharField(max_length=300, blank=True)
    data_source = models.CharField(max_length=300, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    direction = models.CharField(
        max_length=4, choices=Direction.choices, default=Direction.UP
    )
    responsible = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="responsible organisation",
    )
    baseline_value = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True
    )
    baseline_date = models.DateField(null=True, blank=True)
    baseline_pending = models.BooleanField(
        default=False, help_text="The baseline is being collected."
    )
    reporting_from = models.DateField(help_text="First period partners report on.")
    reporting_until = models.DateField(null=True, blank=True)
    breakdowns = models.CharField(
        max_length=300, blank=True, help_text="Reported by, e.g. age band, language."
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("logicmodels:indicator", args=[self.pk])

    def clean(self):
        if self.reporting_until and self.reporting_until < self.reporting_from:
            raise ValidationError(
                {"reporting_until": "The end of reporting is before its start."}
            )

    def in_range(self, day) -> bool:
        return day >= self.reporting_from and (
            self.reporting_until is None or day <= self.reporting_until
        )


class Target(models.Model):
    """What partners aim for in one period."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["period_start", "pk"]

    def __str__(self):
        return f"{self.value} by {self.period_end}"

    def clean(self):
        if (
            self.period_end
            and self.period_start
            and self.period_end < self.period_start
        ):
            raise ValidationError({"period_end": "The period ends before it starts."})


class Measurement(models.Model):
    """A value reported for one period, by the responsible organisation."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    numerator = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True
    )
    note = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period_start", "pk"]
        indexes = [models.Index(fields=["indicator", "period_start"])]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.period_start}–{self.period_end})"


class CheckIn(models.Model):
    """Are we on track? The responsible organisation's judgement, with reasons."""

    class Status(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="checkins"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    narrative = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["indicator", "-created_at"])]

    def __str__(self):
        return f"{self.indicator}: {self.get_status_display()}"


def progress(
    measured: Decimal | None,
    baseline: Decimal | None,
    target: Decimal | None,
    direction: str = "up",
) -> float | None:
    """Share of the way from baseline to target, 0–1+ (None when unknown)."""
    if measured is None or target is None:
        return None
    start = baseline if baseline is not None else Decimal(0)
    distance = target - start
    if distance == 0:
        return 1.0 if measured == target else 0.0
    return float((measured - start) / distance)
