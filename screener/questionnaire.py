"""Reading answers against the questionnaire version they were given to: which
questions were asked (skip logic), whether each answer is valid, and what the
answers signal (needs, the categories and terms that meet them, a profile)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Domain, QuestionKind

MAX_AGE = 120
MAX_INCOME = 10_000_000


class AnswersInvalid(Exception):
    """Answers that cannot be read: each problem by question key."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass
class Needs:
    """What a screen signals, and what the matcher needs to know of the person."""

    domains: list[str] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)
    zip_code: str = ""
    age: int | None = None
    income: int | None = None
    language: str = ""

    @property
    def area(self) -> str:
        return self.zip_code[:3]

    def domain_labels(self) -> list[str]:
        labels = dict(Domain.choices)
        return [str(labels[d]) for d in self.domains if d in labels]


def text(item: dict, name: str = "text") -> str:
    """A question's or answer's text in the active language (Spanish when
    given, English otherwise)."""
    if (get_language() or "en").startswith("es") and item.get(f"{name}_es"):
        return item[f"{name}_es"]
    return item.get(name, "")


def asked(content: dict, answers: dict[str, list[str]]) -> list[dict]:
    """The questions this person was asked: those without a condition, and
    those whose condition (`question=answer`) their answers meet."""
    result = []
    for question in content["questions"]:
        condition = (question.get("show_if") or "").strip()
        if condition:
            key, _sep, value = condition.partition("=")
            if value.strip() not in answers.get(key.strip(), []):
                continue
        result.append(question)
    return result


def _one(question: dict, values: list[str]) -> str:
    return values[0].strip() if values else ""


def read(content: dict, raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """Answers checked against the version: answers to questions not asked are
    dropped, choices must be the question's own, ZIP codes, ages and incomes
    must be numbers people have. Raises AnswersInvalid, listing each problem."""
    answers: dict[str, list[str]] = {}
    problems: dict[str, str] = {}
    # Conditions refer to earlier questions, so read in order.
    for question in content["questions"]:
        condition = (question.get("show_if") or "").strip()
        if condition:
            key, _sep, value = condition.partition("=")
            if value.strip() not in answers.get(key.strip(), []):
                continue
        key = question["key"]
        values = [v for v in raw.get(key, []) if str(v).strip()]
        kind = question.get("kind", QuestionKind.CHOICE)
        if not values:
            if question.get("required"):
                problems[key] = _("Please answer: %(q)s") % {"q": text(question)}
            continue
        if kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE, QuestionKind.LANGUAGE):
            allowed = {a["key"] for a in question.get("answers", [])}
            if kind != QuestionKind.MULTIPLE:
                values = values[:1]
            if not set(values) <= allowed:
                problems[key] = _("Choose one of the answers given for: %(q)s") % {
                    "q": text(question)
                }
                continue
            answers[key] = list(dict.fromkeys(values))
        elif kind == QuestionKind.ZIP:
            value = _one(question, values)
            if not re.fullmatch(r"\d{5}", value):
                problems[key] = _("A ZIP code is five digits, like 01101.")
                continue
            answers[key] = [value]
        elif kind == QuestionKind.AGE:
            value = _one(question, values)
            if not value.isdigit() or int(value) > MAX_AGE:
                problems[key] = _("Give an age in whole years, from 0 to 120.")
                continue
            answers[key] = [str(int(value))]
        elif kind == QuestionKind.INCOME:
            value = _one(question, values).replace(",", "").replace("$", "")
            if not value.isdigit() or int(value) > MAX_INCOME:
                problems[key] = _(
                    "Give the yearly household income as a whole number of "
                    "dollars, such as 24000, or leave it empty."
                )
                continue
            answers[key] = [str(int(value))]
    if problems:
        raise AnswersInvalid(problems)
    return answers


def needs_of(content: dict, answers: dict[str, list[str]]) -> Needs:
    """What read answers signal: need domains in questionnaire order, the
    categories and taxonomy terms meeting them, and the person's profile."""
    needs = Needs()
    for question in asked(content, answers):
        values = answers.get(question["key"], [])
        if not values:
            continue
        kind = question.get("kind")
        if kind == QuestionKind.ZIP:
            needs.zip_code = values[0]
        elif kind == QuestionKind.AGE:
            needs.age = int(values[0])
        elif kind == QuestionKind.INCOME:
            needs.income = int(values[0])
        for answer in question.get("answers", []):
            if answer["key"] not in values:
                continue
            if kind == QuestionKind.LANGUAGE:
                needs.language = answer.get("label", "")
            if answer.get("need") and answer["need"] not in needs.domains:
                needs.domains.append(answer["need"])
            needs.categories.update(answer.get("categories") or [])
            needs.terms.update(
                t.strip()
                for t in (answer.get("taxonomy_terms") or "").split(",")
                if t.strip()
            )
    return needs
