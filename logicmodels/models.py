"""Logic models: how partners expect their work to lead to change, and the
indicators that tell them whether it does."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, transition

from accountability.models import Responsibility
from partnerships import permissions
from partnerships.models import Organisation, Partnership

# Every figure is a DecimalField(max_digits=14, decimal_places=4): below ten billion,
# at most four decimal places. check_number() holds the boundary with a message
# people can act on; the readable managers keep an out-of-range row that reached
# the database some other way from breaking every page that reads it.
MAX_DIGITS, DECIMAL_PLACES = 14, 4
NUMBER_LIMIT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES)
QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)


def check_number(value, name: str = "The value") -> Decimal | None:
    """The value as a Decimal the figure fields can hold, or a ValidationError
    saying what to enter instead. None stays None."""
    if value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(
            f"{name} “{value}” is not a number. Enter a number, such as 42 or 3.5."
        ) from None
    if not number.is_finite():
        raise ValidationError(
            f"{name} “{value}” is not a finite number. Enter a number, such as 42 "
            "or 3.5."
        )
    if number.copy_abs() >= NUMBER_LIMIT:  # copy_abs never rounds or overflows
        raise ValidationError(
            f"{name} “{value}” is too large: figures must be below 10,000,000,000 "
            "(ten billion). Check the figure, or report it in a larger unit "
            "(thousands or millions)."
        )
    if number != number.quantize(QUANTUM):
        raise ValidationError(
            f"{name} “{value}” has more than {DECIMAL_PLACES} decimal places; round "
            f"it to {DECIMAL_PLACES}."
        )
    return number


def _check_fields(instance, names: list[str]) -> None:
    errors = {}
    for name in names:
        try:
            check_number(getattr(instance, name), "This figure")
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


def _in_range(name: str, nullable: bool = False) -> models.Q:
    bounded = models.Q(**{f"{name}__gt": -NUMBER_LIMIT, f"{name}__lt": NUMBER_LIMIT})
    return bounded | models.Q(**{f"{name}__isnull": True}) if nullable else bounded


class ReadableManager(models.Manager):
    """Leaves out rows whose figures no page could read (only possible where the
    database does not enforce the precision, as SQLite does not). The fields are
    class attributes: related managers are built from this class without
    arguments."""

    figures: tuple[str, ...] = ()
    nullable: tuple[str, ...] = ()

    def get_queryset(self):
        query = models.Q()
        for name in self.figures:
            query &= _in_range(name, nullable=name in self.nullable)
        return super().get_queryset().filter(query)


class ReadableTargets(ReadableManager):
    figures = ("value",)


class ReadableMeasurements(ReadableManager):
    figures = ("value", "numerator", "denominator")
    nullable = ("numerator", "denominator")


class ModelQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=permissions.visible_partnerships(user))


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
    # Moved only by the transitions below, through services.model_adopt.
    state = FSMField(
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

    # One adopted version per partnership at a time: adopting a draft retires
    # the version before it (services.model_adopt locks them all first).
    @transition(field=state, source=State.DRAFT, target=State.ADOPTED)
    def adopt(self):
        self.adopted_at = timezone.now()

    @transition(field=state, source=State.ADOPTED, target=State.RETIRED)
    def retire(self):
        pass

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
        _check_fields(self, ["baseline_value"])
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

    # Every stored row, readable or not (for repair); `objects` is the default.
    all_objects = models.Manager()
    objects = ReadableTargets()

    class Meta:
        ordering = ["period_start", "pk"]
        default_manager_name = "objects"

    def __str__(self):
        return f"{self.value} by {self.period_end}"

    def clean(self):
        _check_fields(self, ["value"])
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

    all_objects = models.Manager()
    objects = ReadableMeasurements()

    class Meta:
        ordering = ["period_start", "pk"]
        default_manager_name = "objects"
        indexes = [models.Index(fields=["indicator", "period_start"])]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.period_start}–{self.period_end})"

    def clean(self):
        _check_fields(self, ["value", "numerator", "denominator"])


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
