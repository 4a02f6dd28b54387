"""Memoranda of understanding: co-written agreements, signed by every partner
organisation against the exact text they read."""

from __future__ import annotations

import hashlib
import json
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable, RevisionMixin

from accountability.models import Responsibility
from partnerships import permissions
from partnerships.models import Organisation, Participation, Partnership


class SectionKind(models.TextChoices):
    PARTIES = "parties", "Parties"
    PURPOSE = "purpose", "Purpose and scope"
    BACKGROUND = "background", "Background"
    ROLES = "roles", "Roles and responsibilities"
    REFERRALS = "referrals", "Referral methods"
    RESOURCES = "resources", "Resources and cost sharing"
    DATA_SHARING = "data_sharing", "Data sharing and confidentiality"
    COMMUNICATION = "communication", "Communication and meetings"
    GOVERNANCE = "governance", "Governance and decisions"
    PERFORMANCE = "performance", "Performance measurement"
    TERM = "term", "Term"
    RENEWAL = "renewal", "Review and renewal"
    AMENDMENT = "amendment", "Amendment"
    TERMINATION = "termination", "Termination"
    DISPUTES = "disputes", "Dispute resolution"
    SIGNATURES = "signatures", "Signatures"
    OTHER = "other", "Other"


# Sections an MOU needs, with text, before signing opens.
REQUIRED_SECTIONS = [
    SectionKind.PURPOSE,
    SectionKind.ROLES,
    SectionKind.COMMUNICATION,
    SectionKind.TERM,
    SectionKind.AMENDMENT,
    SectionKind.TERMINATION,
]


class MOUTemplate(ClusterableModel):
    """A starting point for new MOUs: ordered sections with default text."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Offered first when a coordinator starts an MOU."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("is_default"),
        InlinePanel("sections", label="Sections"),
    ]

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = "MOU template"

    def __str__(self):
        return self.name


class MOUTemplateSection(Orderable):
    """One section of a template. Separate clauses with a blank line; {partnership},
    {parties}, {lead}, {start_date} and {end_date} are filled in."""

    template = ParentalKey(
        MOUTemplate, on_delete=models.CASCADE, related_name="sections"
    )
    kind = models.CharField(max_length=20, choices=SectionKind.choices)
    heading = models.CharField(max_length=200)
    default_text = models.TextField(blank=True)

    panels = [FieldPanel("kind"), FieldPanel("heading"), FieldPanel("default_text")]

    # The values filled in when an MOU is created from the template.
    FILLED = ("{partnership}", "{parties}", "{lead}", "{start_date}", "{end_date}")

    def __str__(self):
        return self.heading

    def clean(self):
        from .documents import placeholders_in

        unknown = [
            name
            for name in placeholders_in(self.default_text)
            if name not in self.FILLED
        ]
        if unknown:
            raise ValidationError(
                {
                    "default_text": f"“{self.heading}” uses "
                    + ", ".join(unknown)
                    + ", which nothing fills in, so every MOU made from it would "
                    "carry the placeholder. Write the text, or use only "
                    + ", ".join(self.FILLED)
                    + "."
                }
            )


class Missing(str):
    """One thing missing before an MOU can go to signing, as a sentence, with
    what would fix it: a section of some kind, or a role for an organisation."""

    def __new__(cls, text, *, section_kind=None, organisation=None, role=None):
        item = super().__new__(cls, text)
        item.section_kind, item.organisation, item.role = (
            section_kind,
            organisation,
            role,
        )
        return item


class LibraryClause(models.Model):
    """Reusable clause text hub staff keep for coordinators to copy."""

    kind = models.CharField(
        "section", max_length=20, choices=SectionKind.choices, db_index=True
    )
    title = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title

    def clean(self):
        from .documents import placeholders_in

        left = placeholders_in(self.text)
        if left:
            raise ValidationError(
                {
                    "text": "Coordinators copy this text into agreements as it is: "
                    "replace " + ", ".join(left) + " with words that fit any "
                    "partnership (for example “each partner”)."
                }
            )


def _template_upload_to(instance, filename):
    return f"mou/templates/{uuid.uuid4().hex}.docx"


class DocumentTemplate(models.Model):
    """A .docx layout for MOU exports, uploaded by hub staff and checked on upload."""

    name = models.CharField(max_length=200)
    file = models.FileField(upload_to=_template_upload_to)
    is_active = models.BooleanField(
        default=False,
        help_text="Use this layout for every export. Only a layout whose preview "
        "with sample data rendered cleanly can be made active.",
    )
    # The stored file whose preview rendered cleanly: a new file needs its own.
    previewed_file = models.CharField(max_length=200, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_active", "-uploaded_at"]
        verbose_name = "document template"

    def __str__(self):
        return self.name

    @classmethod
    def active(cls) -> DocumentTemplate | None:
        """The layout exports use: active, and previewed as it is now."""
        return cls.objects.filter(
            is_active=True, previewed_file=models.F("file")
        ).first()

    @property
    def is_previewed(self) -> bool:
        return bool(self.file) and self.previewed_file == self.file.name

    def clean(self):
        from .layouts import PREVIEW_FIRST, lint_template

        if not self.file:
            return
        problems = lint_template(self.file)
        if problems:
            raise ValidationError({"file": problems})
        if self.is_active and not self.is_previewed:
            raise ValidationError({"is_active": PREVIEW_FIRST})


class MOUQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=permissions.visible_partnerships(user))


class MOU(ConcurrentTransitionMixin, RevisionMixin, models.Model):
    """An agreement between the partner organisations of one partnership."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        SIGNING = "signing", "Signing"
        EXECUTED = "executed", "Executed"
        SUPERSEDED = "superseded", "Superseded"
        EXPIRED = "expired", "Expired"
        TERMINATED = "terminated", "Terminated"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="mous"
    )
    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="amendment",
        help_text="The executed version this one amends.",
    )
    state = FSMField(default=State.DRAFT, choices=State.choices, db_index=True)
    effective_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    signing_round = models.PositiveIntegerField(default=0)
    frozen_hash = models.CharField(max_length=64, blank=True)
    frozen_revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    executed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    termination_effective = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MOUQuerySet.as_manager()

    class Meta:
        verbose_name = "MOU"
        verbose_name_plural = "MOUs"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "version"], name="mou_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(effective_date__isnull=True)
                | models.Q(end_date__gte=models.F("effective_date")),
                name="mou_term_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return reverse("mou:detail", args=[self.pk])

    # -- content ---------------------------------------------------------------

    def canonical_content(self, sections=None) -> dict:
        """Everything a signatory agrees to, in a stable form."""
        if sections is None:
            sections = self.sections.prefetch_related("clauses__responsible")
        parties = sorted(
            Participation.objects.filter(
                partnership_id=self.partnership_id
            ).values_list("organisation__name", flat=True)
        )
        return {
            "title": self.title,
            "version": self.version,
            "effective_date": str(self.effective_date or ""),
            "end_date": str(self.end_date or ""),
            "parties": parties,
            "sections": [
                {
                    "kind": section.kind,
                    "heading": section.heading,
                    "clauses": [
                        {
                            "text": clause.text,
                            "responsible": clause.responsible.name
                            if clause.responsible
                            else "",
                            "due_date": str(clause.due_date or ""),
                            "cadence": clause.cadence,
                        }
                        for clause in section.clauses.all()
                    ],
                }
                for section in sections
            ],
        }

    @staticmethod
    def hash_content(content: dict) -> str:
        text = json.dumps(
            content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def content_hash(self) -> str:
        return self.hash_content(self.canonical_content())

    def serializable_data(self):
        data = super().serializable_data()
        data["content"] = self.canonical_content()
        return data

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.IN_REVIEW)

    def freeze(self, *, by) -> None:
        """Fix the text as it is now as the text to be signed: its hash, and the
        revision that keeps it readable after later edits."""
        self.frozen_hash = self.content_hash()
        # The revision carries the hash too, so it is taken after setting it.
        self.frozen_revision = self.save_revision(user=by, clean=False)
        self.save(update_fields=["frozen_hash", "frozen_revision"])

    def matches_frozen(self, fingerprint: str) -> bool:
        """Whether `fingerprint` is the hash of the frozen text (never true
        while nothing is frozen)."""
        return bool(self.frozen_hash) and fingerprint == self.frozen_hash

    def signatures_match(self) -> bool:
        """Whether the current text is still the text that was signed."""
        return self.matches_frozen(self.content_hash())

    def current_signatures(self):
        return self.signatures.filter(round=self.signing_round, voided_at__isnull=True)

    def parties(self):
        return Organisation.objects.filter(
            participations__partnership_id=self.partnership_id
        ).order_by("name")

    def signing_checklist(self) -> list[Missing]:
        """What is missing before signing can open; empty when ready. Each
        item reads as a sentence and says what would fix it."""
        problems = []
        sections = list(self.sections.prefetch_related("clauses"))
        kinds_with_text = {
            s.kind for s in sections if any(c.text.strip() for c in s.clauses.all())
        }
        for kind in REQUIRED_SECTIONS:
            if kind not in kinds_with_text:
                problems.append(
                    Missing(
                        f"Add the “{kind.label}” section with at least one clause.",
                        section_kind=kind,
                    )
                )
        if (
            self.partnership.shares_client_data
            and SectionKind.DATA_SHARING not in kinds_with_text
        ):
            problems.append(
                Missing(
                    "The partnership shares client data: add a “Data sharing and "
                    "confidentiality” section.",
                    section_kind=SectionKind.DATA_SHARING,
                )
            )
        committed = {
            c.responsible_id
            for s in sections
            for c in s.clauses.all()
            if c.responsible_id
        }
        signatories = set(
            Participation.objects.filter(
                partnership_id=self.partnership_id, people__role="signatory"
            ).values_list("organisation_id", flat=True)
        )
        for organisation in self.parties():
            if organisation.pk not in signatories:
                problems.append(
                    Missing(
                        f"Name a signatory for {organisation.name}.",
                        organisation=organisation,
                        role="signatory",
                    )
                )
            if organisation.pk not in committed:
                problems.append(
                    Missing(
                        f"Give {organisation.name} at least one commitment (a clause "
                        "with a responsible organisation).",
                        organisation=organisation,
                        section_kind=SectionKind.ROLES,
                    )
                )
        return problems

    # -- lifecycle (called only from services) ---------------------------------

    @transition(field=state, source=State.DRAFT, target=State.IN_REVIEW)
    def submit_for_review(self):
        pass

    @transition(field=state, source=State.IN_REVIEW, target=State.DRAFT)
    def request_changes(self):
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.SIGNING,
        conditions=[lambda mou: not mou.signing_checklist()],
    )
    def open_signing(self):
        # The service freezes the text (`freeze`) once the state is saved.
        self.signing_round += 1

    @transition(field=state, source=State.SIGNING, target=State.DRAFT)
    def withdraw(self):
        self.frozen_hash = ""
        self.frozen_revision = None

    @transition(
        field=state,
        source=State.SIGNING,
        target=State.EXECUTED,
        conditions=[lambda mou: mou.all_parties_signed()],
    )
    def execute(self):
        # The effective date stays as signed (empty means "on signature"): it is
        # part of the signed text, so filling it in would break the signatures.
        self.executed_at = timezone.now()

    @transition(field=state, source=State.EXECUTED, target=State.SUPERSEDED)
    def supersede(self):
        self.ended_at = timezone.now()

    @transition(field=state, source=State.EXECUTED, target=State.EXPIRED)
    def expire(self):
        self.ended_at = timezone.now()

    @transition(field=state, source=State.EXECUTED, target=State.TERMINATED)
    def terminate(self, *, reason: str, effective: object):
        self.ended_at = timezone.now()
        self.termination_reason = reason
        self.termination_effective = effective

    def all_parties_signed(self) -> bool:
        signed = set(
            self.signatures.filter(
                round=self.signing_round,
                voided_at__isnull=True,
                content_hash=self.frozen_hash,
            ).values_list("organisation_id", flat=True)
        )
        return (
            bool(signed) and set(self.parties().values_list("pk", flat=True)) <= signed
        )


class Section(models.Model):
    """A numbered part of an MOU: its heading and ordered clauses."""

    mou = models.ForeignKey(MOU, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=SectionKind.choices)
    heading = models.CharField(max_length=200)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.heading


class Clause(models.Model):
    """One provision. With a responsible organisation it is a commitment, tracked
    as a responsibility once the MOU executes."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="clauses"
    )
    order = models.PositiveIntegerField(default=0)
    text = models.TextField()
    responsible = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="responsible organisation",
    )
    due_date = models.DateField(null=True, blank=True)
    cadence = models.CharField(
        max_length=20, choices=Responsibility.Cadence.choices, blank=True, default=""
    )
    # The same clause across versions of the agreement (copied on amendment).
    key = models.UUIDField(default=uuid.uuid4, db_index=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return reverse("mou:detail", args=[self.section.mou_id]) + f"#clause-{self.pk}"

    @property
    def is_commitment(self) -> bool:
        return self.responsible_id is not None


class Signature(models.Model):
    """An organisation's signature on one signing round, bound to the content hash."""

    mou = models.ForeignKey(MOU, on_delete=models.CASCADE, related_name="signatures")
    round = models.PositiveIntegerField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(max_length=200)
    title = models.CharField("job title", max_length=200)
    signed_on = models.DateField()
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mou", "round", "organisation"],
                condition=models.Q(voided_at__isnull=True),
                name="one_signature_per_organisation_per_round",
            )
        ]

    def __str__(self):
        return f"{self.full_name} for {self.organisation}"


class MOUEvent(models.Model):
    """The MOU's own history: every transition, signature and withdrawal."""

    mou = models.ForeignKey(MOU, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.action} on {self.mou}"


class Comment(models.Model):
    """A comment on a clause (or on the MOU as a whole), with replies."""

    mou = models.ForeignKey(MOU, on_delete=models.CASCADE, related_name="comments")
    clause = models.ForeignKey(
        Clause,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:60]


class Watch(models.Model):
    """Someone who hears about new comments on an MOU."""

    mou = models.ForeignKey(MOU, on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mou", "user"], name="watch_once")
        ]

    def __str__(self):
        return f"{self.user} watches {self.mou}"
