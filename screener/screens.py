"""A screen in flight: the questionnaire version on offer, the answers a form
sent, and the signed token that carries them to the results page. The token
lives in the visitor's address bar only: nothing about a person is stored."""

from __future__ import annotations

from django.core import signing

from .models import Questionnaire, QuestionnaireVersion
from .questionnaire import AnswersInvalid, Needs, needs_of, read

SALT = "screener.results"
MAX_AGE = 60 * 60 * 24 * 30


def current_version() -> QuestionnaireVersion | None:
    """The version of the newest active questionnaire."""
    questionnaire = Questionnaire.objects.filter(active=True).first()
    return questionnaire.current if questionnaire else None


def answers_from(data, version: QuestionnaireVersion) -> dict[str, list[str]]:
    """The raw answers a form posted, for this version's questions only."""
    return {q["key"]: data.getlist(q["key"]) for q in version.content["questions"]}


def token_for(version: QuestionnaireVersion, answers: dict) -> str:
    return signing.dumps({"v": version.pk, "a": answers}, salt=SALT, compress=True)


def from_token(token: str) -> tuple[QuestionnaireVersion, dict, Needs] | None:
    """The version, answers and needs a token carries; None if it was altered,
    is too old, or names a version that is gone."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
        version = QuestionnaireVersion.objects.get(pk=data["v"])
        answers = read(version.content, data["a"])
    except (signing.BadSignature, QuestionnaireVersion.DoesNotExist, KeyError):
        return None
    except (AnswersInvalid, TypeError, AttributeError):
        return None
    return version, answers, needs_of(version.content, answers)
