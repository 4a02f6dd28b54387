"""The demo screener: a twelve-question questionnaire in English and Spanish,
and the anonymous counts 500 screens over the past year would have left.
Called by `manage.py load_demo_data` after the directory."""

from __future__ import annotations

import datetime
import random
from collections import Counter

from partnerships.demo import Demo

from .models import NeedCount, Questionnaire


def _a(key, label, label_es, need="", categories=(), terms=""):
    return {
        "key": key,
        "label": label,
        "label_es": label_es,
        "need": need,
        "categories": list(categories),
        "taxonomy_terms": terms,
    }


YES, NO = ("yes", "Yes", "Sí"), ("no", "No", "No")


def _yes_no(key, text, text_es, need, categories, show_if="", terms=""):
    return {
        "key": key,
        "text": text,
        "text_es": text_es,
        "kind": "choice",
        "required": False,
        "show_if": show_if,
        "answers": [_a(*YES, need, categories, terms), _a(*NO)],
    }


def _ask(key, kind, text, text_es, required=False, answers=()):
    return {
        "key": key,
        "text": text,
        "text_es": text_es,
        "kind": kind,
        "required": required,
        "show_if": "",
        "answers": list(answers),
    }


QUESTIONS = [
    _ask("zip", "zip", "What is your ZIP code?", "¿Cuál es su código postal?", True),
    _ask("age", "age", "How old are you?", "¿Cuántos años tiene?"),
    _ask(
        "language",
        "language",
        "Which language do you prefer?",
        "¿Qué idioma prefiere?",
        answers=[
            _a("en", "English", "Inglés"),
            _a("es", "Spanish", "Español"),
            _a("vi", "Vietnamese", "Vietnamita"),
        ],
    ),
    _yes_no(
        "home",
        "Are you worried about losing your home?",
        "¿Le preocupa perder su vivienda?",
        "housing",
        ["housing"],
    ),
    _yes_no(
        "rent",
        "Are you behind on rent or utility bills?",
        "¿Debe alquiler o facturas de luz, gas o agua?",
        "income",
        ["income", "legal"],
        show_if="home=yes",
    ),
    _yes_no(
        "food",
        "In the last month, did you worry that food would run out?",
        "En el último mes, ¿le preocupó quedarse sin comida?",
        "food",
        ["food"],
    ),
    _yes_no(
        "doctor",
        "Do you need a doctor, dentist or counsellor you cannot get?",
        "¿Necesita un médico, dentista o consejero y no lo consigue?",
        "health",
        ["health"],
    ),
    _yes_no(
        "work",
        "Would you like help finding work?",
        "¿Quiere ayuda para encontrar trabajo?",
        "employment",
        ["income"],
    ),
    _yes_no(
        "school",
        "Would you like help with classes, English or a diploma?",
        "¿Quiere ayuda con clases, inglés o un diploma?",
        "education",
        ["youth"],
    ),
    _yes_no(
        "children",
        "Do you care for children and need help with childcare or parenting?",
        "¿Cuida a niños y necesita ayuda con el cuidado infantil o la crianza?",
        "family",
        ["family"],
    ),
    _yes_no(
        "legal",
        "Do you have a legal problem (eviction, immigration, debt)?",
        "¿Tiene un problema legal (desalojo, inmigración, deudas)?",
        "legal",
        ["legal"],
    ),
    _ask(
        "income",
        "income",
        "About how much does your household earn in a year (dollars)? You may "
        "leave this empty.",
        "¿Cuánto gana su hogar al año, más o menos (dólares)? Puede dejarlo en blanco.",
    ),
]

# How often each need comes up, and the areas people screen from.
SHARES = {
    "housing": 0.45,
    "income": 0.3,
    "food": 0.4,
    "health": 0.3,
    "employment": 0.2,
    "education": 0.1,
    "family": 0.2,
    "legal": 0.12,
}
AREAS = ["011", "011", "011", "010", "010", "013", "012"]


def load(*, demo: Demo) -> None:
    if not Questionnaire.objects.exists():
        Questionnaire.objects.create(
            title="How can we help?",
            intro="A few questions, then a list of services near you.",
            intro_es="Unas preguntas y luego una lista de servicios cerca de usted.",
            questions=[("question", q) for q in QUESTIONS],
        )
    if NeedCount.objects.exists():
        return
    rng = random.Random(500)
    cells: Counter = Counter()
    for _ in range(500):
        day = demo.today - datetime.timedelta(days=rng.randint(0, 364))
        area = rng.choice(AREAS)
        for domain, share in SHARES.items():
            if rng.random() < share:
                cells[(domain, area, day.replace(day=1))] += 1
    NeedCount.objects.bulk_create(
        NeedCount(domain=domain, area=area, month=month, screens=n)
        for (domain, area, month), n in cells.items()
    )
