"""A small questionnaire and a directory with hand-placed services."""

import pytest

from screener.models import Questionnaire


def answer(key, label, need="", categories=(), label_es="", terms=""):
    return {
        "key": key,
        "label": label,
        "label_es": label_es or label,
        "need": need,
        "categories": list(categories),
        "taxonomy_terms": terms,
    }


QUESTIONS = [
    {
        "key": "zip",
        "text": "What is your ZIP code?",
        "text_es": "¿Cuál es su código postal?",
        "kind": "zip",
        "required": True,
        "show_if": "",
        "answers": [],
    },
    {
        "key": "age",
        "text": "How old are you?",
        "text_es": "¿Cuántos años tiene?",
        "kind": "age",
        "required": False,
        "show_if": "",
        "answers": [],
    },
    {
        "key": "language",
        "text": "Which language do you prefer?",
        "text_es": "¿Qué idioma prefiere?",
        "kind": "language",
        "required": False,
        "show_if": "",
        "answers": [
            answer("en", "English", label_es="Inglés"),
            answer("es", "Spanish", label_es="Español"),
        ],
    },
    {
        "key": "housing",
        "text": "Are you worried about keeping your home?",
        "text_es": "¿Le preocupa perder su vivienda?",
        "kind": "choice",
        "required": True,
        "show_if": "",
        "answers": [
            answer("yes", "Yes", "housing", ["housing"], label_es="Sí"),
            answer("no", "No"),
        ],
    },
    {
        "key": "rent",
        "text": "Are you behind on rent?",
        "text_es": "¿Debe alquiler?",
        "kind": "choice",
        "required": False,
        "show_if": "housing=yes",
        "answers": [
            answer("yes", "Yes", "income", ["income"], label_es="Sí"),
            answer("no", "No"),
        ],
    },
    {
        "key": "food",
        "text": "In the last month, did you run out of food?",
        "text_es": "En el último mes, ¿se quedó sin comida?",
        "kind": "choice",
        "required": False,
        "show_if": "",
        "answers": [
            answer("yes", "Yes", "food", ["food"], label_es="Sí"),
            answer("no", "No"),
        ],
    },
    {
        "key": "income",
        "text": "Yearly household income (dollars)",
        "text_es": "Ingreso anual del hogar (dólares)",
        "kind": "income",
        "required": False,
        "show_if": "",
        "answers": [],
    },
]


@pytest.fixture
def questionnaire(db):
    return Questionnaire.objects.create(
        title="How can we help?",
        questions=[("question", q) for q in QUESTIONS],
    )


# The browser test runs Debian's Chromium, as tests/e2e does.
from tests.e2e.conftest import (  # noqa: E402
    browser_type_launch_args,  # noqa: F401
    pytest_collection_modifyitems,  # noqa: F401
)
