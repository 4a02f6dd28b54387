"""Shared accountability: who does what by when, what partners learn, and how
healthy the partnership feels to each organisation."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, transition

from partnerships.models import Organisation, Partnership


class Practice(models.TextChoices):
    """The five partnership practices (DOMAIN.md)."""

    PURPOSE = "purpose", "Align purpose and success criteria"
    LEARN = "learn", "Adapt and learn with partners"
    SUSTAIN = "sustain", "Ensure sustainability"
    COMMUNICATE = "communicate", "Communicate clearly and consistently"
    ACCOUNTABILITY = "accountability", "Share accountability"


class ResponsibilityQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date | None = None):
        """Open items whose due date has passed; due today is not overdue."""
        today = today or timezone.localdate()
        return self.filter(due_date__lt=today).exclude(
            status=Responsibility.Status.DONE
        )

    def open(self):
        return self.exclude(status=Responsibility.Status.DONE)


class Responsibility(models.Model):
    """Something one organisation has agreed to do for the partnership, by a date
    or on a cadence."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"
        AT_RISK = "at_risk", "At risk"

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        MOU_CLAUSE = "mou_clause", "MOU clause"
        MEETING_ACTION = "meeting_action", "Meeting action"
        LOGIC_MODEL = "logic_model", "Logic-model activity"

    class Cadence(models.TextChoices):
        NONE = "", "One-off"
        WEEKLY = "weekly", "Every week"
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every quarter"
        YEARLY = "yearly", "Every year"

    # relativedelta keeps month ends: a monthly item due 31 January is next due
    # 28 (or 29) February, not 3 March.
    CADENCE_STEP = {
        Cadence.WEEKLY: relativedelta(weeks=1),
        Cadence.MONTHLY: relativedelta(months=1),
        Cadence.QUARTERLY: relativedelta(months=3),
        Cadence.YEARLY: relativedelta(years=1),
    }

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="responsibilities"
    )
    title = models.CharField("what", max_length=300)
    details = models.TextField(blank=True)
    # Owned by an organisation, not a person: people come and go, the
    # commitment stays with the organisation that made it. PROTECT, because an
    # organisation with open commitments must hand them over before it goes.
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name="owner organisation",
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsibilities",
        verbose_name="named person",
    )
    # What kind of promise this is decides who may change it: one made in an
    # executed MOU changes only by amendment (permissions.can_reassign_...).
    source = models.CharField(
        max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    # Where it came from (an MOU clause, a meeting action, a logic-model element).
    # A generic key, so this app imports none of the apps that create
    # responsibilities; source_id is text because Wagtail's own ids may be.
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.CharField(max_length=40, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    due_date = models.DateField(null=True, blank=True)
    cadence = models.CharField(
        max_length=20, choices=Cadence.choices, blank=True, default=Cadence.NONE
    )
    # "Overdue" is not a status: it is computed from the due date (see
    # ResponsibilityQuerySet.overdue), so it can never be stale.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOT_STARTED
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

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "responsibilities"
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["partnership", "status", "due_date"]),
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence="") | Q(due_date__isnull=False),
                name="responsibility_recurring_needs_due_date",
                violation_error_message="A recurring responsibility needs the date "
                "it is first due.",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "accountability:responsibility", args=[self.partnership_id, self.pk]
        )

    def clean(self):
        if self.cadence and not self.due_date:
            raise ValidationError(
                {
                    "due_date": "A recurring responsibility needs the date it is first "
                    "due; later dates follow from the cadence."
                }
            )

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(
            self.due_date and self.due_date < today and self.status != self.Status.DONE
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def days_overdue(self) -> int:
        if not self.is_overdue():
            return 0
        return (timezone.localdate() - self.due_date).days

    def next_due_date(self) -> datetime.date | None:
        step = self.CADENCE_STEP.get(self.cadence)
        if not step or not self.due_date:
            return None
        return self.due_date + step


class ResponsibilityUpdate(models.Model):
    """One entry in a responsibility's log: who said what, when. Never edited."""

    responsibility = models.ForeignKey(
        Responsibility, on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_from = models.CharField(
        max_length=20, choices=Responsibility.Status.choices, blank=True
    )
    status_to = models.CharField(
        max_length=20, choices=Responsibility.Status.choices, blank=True
    )
    # The due date of the occurrence this update is about (recurring items move on).
    due_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status_to", "due_date"])]

    def __str__(self):
        return f"{self.responsibility}: {self.status_from} → {self.status_to}"

    def save(self, *args, **kwargs):
        # Partners rely on the log as the record of who said what: a correction
        # is a new entry, never an edit.
        if self.pk:
            raise ValidationError("The update log is append-only.")
        super().save(*args, **kwargs)


class LearningEntry(models.Model):
    """Something partners learned, and what they will change because of it."""

    class Kind(models.TextChoices):
        REFLECTION = "reflection", "Reflection"
        TRAINING = "training", "Training held"
        ASSESSMENT = "assessment", "Community assessment"
        ADAPTATION = "adaptation", "Adaptation"

    class ProposalKind(models.TextChoices):
        NONE = "", "No change proposed"
        MOU = "mou", "Amend the MOU"
        LOGIC_MODEL = "logic_model", "Change the logic model"
        PRACTICE = "practice", "Change how we work"

    class ProposalStatus(models.TextChoices):
        NONE = "", "—"
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="learning_entries"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The organisation the author wrote for: a lesson is the organisation's,
    # and stays when the author leaves (author then becomes empty).
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(
        "type", max_length=20, choices=Kind.choices, default=Kind.REFLECTION
    )
    practice = models.CharField(max_length=20, choices=Practice.choices)
    title = models.CharField(max_length=200)
    what_happened = models.TextField()
    what_we_learned = models.TextField()
    what_we_change = models.TextField(blank=True)
    happened_on = models.DateField(default=timezone.localdate)
    responsibilities = models.ManyToManyField(
        Responsibility, blank=True, related_name="learning_entries"
    )
    proposal_kind = models.CharField(
        "proposed change",
        max_length=20,
        choices=ProposalKind.choices,
        blank=True,
        default=ProposalKind.NONE,
    )
    proposal = models.TextField("what should change", blank=True)
    # A proposal is decided by a coordinator, never by its author: "" while no
    # change is proposed, then open → accepted or declined once
    # (services.learning_proposal_decide).
    proposal_status = FSMField(
        max_length=20, choices=ProposalStatus.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "learning entries"
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["partnership", "-happened_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "accountability:learning_entry", args=[self.partnership_id, self.pk]
        )

    @transition(
        field=proposal_status,
        source=ProposalStatus.OPEN,
        target=ProposalStatus.ACCEPTED,
    )
    def accept(self):
        pass

    @transition(
        field=proposal_status,
        source=ProposalStatus.OPEN,
        target=ProposalStatus.DECLINED,
    )
    def decline(self):
        pass

    def clean(self):
        if self.proposal_kind and not self.proposal.strip():
            raise ValidationError(
                {"proposal": "Say what should change, or choose “No change proposed”."}
            )


class HealthCheckRound(models.Model):
    """A period in which each organisation rates how the partnership is doing."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="health_rounds"
    )
    title = models.CharField(max_length=120)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closes_on = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "accountability:health_round", args=[self.partnership_id, self.pk]
        )

    @property
    def is_open(self) -> bool:
        # A round past its closing date takes no answers even before someone
        # closes it; its results still wait for the close (health.py), so an
        # early respondent's answers cannot be read off a half-full round.
        return self.closed_at is None and self.closes_on >= timezone.localdate()


class HealthCheckResponse(models.Model):
    """One person's answers in a round, on behalf of their organisation."""

    round = models.ForeignKey(
        HealthCheckRound, on_delete=models.CASCADE, related_name="responses"
    )
    # Kept only to refuse a second answer from the same person: no page, export
    # or history entry shows who answered what (tests/security/
    # test_health_anonymity.py), and figures need at least three respondents.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "respondent"],
                name="health_one_response_per_person",
                violation_error_message="You have already answered this round.",
            )
        ]

    def __str__(self):
        return f"{self.organisation} in {self.round}"


class PracticeRating(models.Model):
    """A 1–5 rating of one partnership practice."""

    response = models.ForeignKey(
        HealthCheckResponse, on_delete=models.CASCADE, related_name="ratings"
    )
    practice = models.CharField(max_length=20, choices=Practice.choices)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)

    # The database refuses what a form might let through (a replayed POST, a
    # direct service call): one rating per practice, within the scale.
    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "practice"], name="practice_rating_once"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="practice_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.get_practice_display()}: {self.score}"


class CollaborationRating(models.Model):
    """How closely the respondent's organisation works with another one."""

    class Level(models.IntegerChoices):
        NONE = 0, "0 — No interaction"
        NETWORKING = 1, "1 — Networking"
        COOPERATION = 2, "2 — Cooperation"
        COORDINATION = 3, "3 — Coordination"
        COALITION = 4, "4 — Coalition"
        COLLABORATION = 5, "5 — Collaboration"

    # Pairs rated differently from each side (A says 4 of B, B says 1 of A) are
    # flagged on the results: that asymmetry is what partners need to discuss.
    response = models.ForeignKey(
        HealthCheckResponse, on_delete=models.CASCADE, related_name="collaboration"
    )
    other = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "other"], name="collaboration_rating_once"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=5), name="collaboration_0_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.other}: {self.level}"


class FiguresVersion(models.Model):
    """One row whose token changes with every write the dashboard figures read
    (database triggers, see figure_cache.py): cached figures are kept under it."""

    token = models.CharField(max_length=64)
    txid = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return self.token
