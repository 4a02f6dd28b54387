"""A directory at scale for the matcher's benchmark and scale test: `seed`
n published services spread over categories, places, ages, languages, time
zones and hours (bulk, no mail)."""

from __future__ import annotations

import datetime
import random

from directory.models import DirectoryService
from partnerships.models import Organisation

from .questionnaire import Needs

CATEGORIES = [c for c, _label in DirectoryService.Category.choices]
ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles"]
LANGUAGES = ["English", "English, Spanish", "English, Vietnamese", "Spanish"]


def seed(count: int, *, seed: int = 10_000) -> list[DirectoryService]:
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    organisations = [
        Organisation.objects.get_or_create(name=f"Scale organisation {n}")[0]
        for n in range(20)
    ]
    services = []
    for n in range(count):
        low = rng.choice([None, None, 0, 14, 18, 60])
        services.append(
            DirectoryService(
                organisation=organisations[n % len(organisations)],
                name=f"Scale service {n:05d}",
                description="Help near you",
                category=CATEGORIES[n % len(CATEGORIES)],
                postal_code=f"0{rng.randint(1000, 2799)}",
                latitude=42.1 + rng.uniform(-1.0, 1.0),
                longitude=-72.6 + rng.uniform(-1.5, 1.5),
                min_age=low,
                max_age=None if low is None else low + rng.choice([10, 40, 60]),
                service_area=rng.choice(["", "", "010, 011", "016"]),
                income_limit=rng.choice([None, None, 30000, 60000]),
                fee_kind=rng.choice(["free", "sliding", "fee", ""]),
                languages=rng.choice(LANGUAGES),
                time_zone=rng.choice(ZONES),
                opening_days=rng.choice(["MO,TU,WE,TH,FR", "SA,SU", "MO,WE,FR"]),
                opens_at=datetime.time(rng.choice([8, 9, 10, 13])),
                closes_at=datetime.time(rng.choice([12, 16, 17, 20])),
            )
        )
    return DirectoryService.objects.bulk_create(services, batch_size=1000)


# What the benchmark asks: a family in Springfield with housing, food and
# income needs, Spanish-speaking, 34, on 28,000 a year.
BENCH_NEEDS = Needs(
    domains=["housing", "food", "income"],
    categories={"housing", "food", "income"},
    zip_code="01101",
    age=34,
    income=28000,
    language="Spanish",
)
