"""The needs screener: questionnaires kept by hub staff as content, their frozen
versions, and the anonymous counts of needs that completed screens leave."""

from __future__ import annotations

import hashlib
import json

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField

from directory.models import DirectoryService


class Domain(models.TextChoices):
    """The need domains a screen can signal (HelpSteps' areas and the
    directory's categories)."""

    HOUSING = "housing", _("Housing")
    FOOD = "food", _("Food")
    HEALTH = "health", _("Health care")
    INCOME = "income", _("Income and benefits")
    EMPLOYMENT = "employment", _("Work")
    EDUCATION = "education", _("Education")
    FAMILY = "family", _("Family support")
    YOUTH = "youth", _("Young people")
    LEGAL = "legal", _("Legal help")
    SAFETY = "safety", _("Safety and community")


class QuestionKind(models.TextChoices):
    CHOICE = "choice", "One answer"
    MULTIPLE = "multiple", "Several answers"
    ZIP = "zip", "ZIP code"
    AGE = "age", "Age"
    INCOME = "income", "Yearly household income"
    LANGUAGE = "language", "Preferred language (answers are language names)"


class AnswerBlock(blocks.StructBlock):
    key = blocks.CharBlock(max_length=40, help_text="Short id, e.g. 'behind_rent'.")
    label = blocks.CharBlock(max_length=200)
    label_es = blocks.CharBlock(max_length=200, required=False, label="Label (Spanish)")
    need = blocks.ChoiceBlock(
        choices=Domain.choices,
        required=False,
        help_text="The need this answer signals.",
    )
    categories = blocks.MultipleChoiceBlock(
        choices=DirectoryService.Category.choices,
        required=False,
        help_text="Service categories that meet the need.",
    )
    taxonomy_terms = blocks.CharBlock(
        required=False, help_text="Taxonomy term codes that meet it, comma-separated."
    )


class QuestionBlock(blocks.StructBlock):
    key = blocks.CharBlock(max_length=40)
    text = blocks.CharBlock(max_length=300)
    text_es = blocks.CharBlock(max_length=300, required=False, label="Text (Spanish)")
    kind = blocks.ChoiceBlock(choices=QuestionKind.choices, default="choice")
    required = blocks.BooleanBlock(required=False)
    show_if = blocks.CharBlock(
        required=False,
        help_text="Ask only after this answer: 'question_key=answer_key'.",
    )
    answers = blocks.ListBlock(AnswerBlock(), required=False)


def _plain(question: dict) -> dict:
    """A question's stored value without the ids Wagtail gives list items."""
    answers = [
        item["value"] if isinstance(item, dict) and item.get("type") == "item" else item
        for item in question.get("answers") or []
    ]
    return {**question, "answers": [dict(a) for a in answers]}


class Questionnaire(models.Model):
    """A needs questionnaire in plain language. Saving a changed one makes a new
    version; screens are read against the version they were given."""

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    intro_es = models.TextField("intro (Spanish)", blank=True)
    active = models.BooleanField(
        default=True, help_text="The one the public screener offers (newest active)."
    )
    questions = StreamField([("question", QuestionBlock())], blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("intro"),
        FieldPanel("intro_es"),
        FieldPanel("active"),
        FieldPanel("questions"),
    ]

    class Meta:
        ordering = ["-active", "-updated_at", "-pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.freeze()

    def content(self) -> dict:
        """What a version freezes: the texts and every question, plain data."""
        return {
            "title": self.title,
            "intro": self.intro,
            "intro_es": self.intro_es,
            "questions": [_plain(block["value"]) for block in self.questions.raw_data],
        }

    def freeze(self) -> QuestionnaireVersion:
        """The current version, made anew when the content changed."""
        content = self.content()
        digest = hashlib.sha256(
            json.dumps(content, sort_keys=True).encode()
        ).hexdigest()
        latest = self.versions.order_by("-number").first()
        if latest and latest.digest == digest:
            return latest
        return QuestionnaireVersion.objects.create(
            questionnaire=self,
            number=(latest.number + 1) if latest else 1,
            content=content,
            digest=digest,
        )

    @property
    def current(self) -> QuestionnaireVersion | None:
        return self.versions.order_by("-number").first()


class QuestionnaireVersion(models.Model):
    """A questionnaire as it was given: answers are read against it."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    content = models.JSONField()
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="screener_version_once"
            )
        ]

    def __str__(self):
        return f"{self.questionnaire} v{self.number}"


class NeedCount(models.Model):
    """How many completed screens signalled a need, by area and month: no free
    text, no identifiers, no time finer than the month."""

    domain = models.CharField(max_length=20, choices=Domain.choices)
    # The first three digits of the ZIP code ("" when none was given).
    area = models.CharField(max_length=3, blank=True)
    month = models.DateField(help_text="The first day of the month.")
    screens = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month", "domain", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "area", "month"], name="screener_need_cell_once"
            )
        ]

    def __str__(self):
        return f"{self.domain} {self.area} {self.month:%Y-%m}: {self.screens}"
