"""The partner organisations' services in the public directory. Called by
`manage.py load_demo_data`."""

import datetime
import random

from directory.models import DirectoryService
from partnerships.demo import Demo
from partnerships.models import Organisation

# Springfield, MA: the demo's services sit within a few miles of it.
CENTRE = (42.1015, -72.5898)
OTHERS = [
    "Springfield Food Bank",
    "Valley Legal Aid",
    "Hampden Workforce Center",
]
# (name, category, description, min age, max age, income limit, fee kind, terms)
MORE = [
    (
        "Rent assistance fund",
        "housing",
        "Pays part of a month's rent for tenants behind on payments.",
        18,
        None,
        45000,
        "free",
        "BH-3800.7000",
    ),
    (
        "Utility bill help",
        "income",
        "Help paying heating and electricity bills.",
        18,
        None,
        40000,
        "free",
        "BV-8900",
    ),
    (
        "Eviction prevention",
        "legal",
        "Advice and a lawyer for tenants facing eviction.",
        18,
        None,
        None,
        "free",
        "FT-1800",
    ),
    (
        "Family shelter",
        "housing",
        "Emergency beds for families tonight.",
        None,
        None,
        None,
        "free",
        "BH-1800.8500",
    ),
    (
        "Weekend meals",
        "food",
        "Groceries and hot meals on Saturdays.",
        None,
        None,
        None,
        "free",
        "BD-1800",
    ),
    (
        "School breakfast club",
        "food",
        "Free breakfast for children before school.",
        5,
        14,
        None,
        "free",
        "BD-5000",
    ),
    (
        "Benefits check",
        "income",
        "Find out which benefits you can claim and apply.",
        18,
        None,
        None,
        "free",
        "NL-6000",
    ),
    (
        "Job search help",
        "income",
        "CVs, interviews and job listings.",
        16,
        None,
        None,
        "free",
        "ND-6500",
    ),
    (
        "Dental care",
        "health",
        "Check-ups and fillings, sliding scale.",
        None,
        None,
        60000,
        "sliding",
        "LV-1600",
    ),
    (
        "Mental health counselling",
        "health",
        "Talk to a counsellor about stress, worry or low mood.",
        12,
        None,
        None,
        "sliding",
        "RP-1400",
    ),
    (
        "Parenting classes",
        "family",
        "Evening classes for parents of young children.",
        16,
        None,
        None,
        "free",
        "PH-6100",
    ),
    (
        "Childcare subsidy",
        "family",
        "Help paying for childcare while you work.",
        18,
        None,
        55000,
        "free",
        "NL-1000",
    ),
    (
        "After-school programme",
        "youth",
        "Homework club and sports, weekdays.",
        6,
        17,
        None,
        "fee",
        "PS-9800",
    ),
    (
        "Adult education",
        "youth",
        "English classes and high-school equivalency.",
        16,
        None,
        None,
        "free",
        "HH-0500",
    ),
    (
        "Immigration advice",
        "legal",
        "Free advice on immigration status.",
        None,
        None,
        None,
        "free",
        "FT-3000",
    ),
]


def load(*, demo: Demo) -> None:
    orgs = demo.organisations
    people = demo.people
    today = demo.today
    entries = [
        (
            "Northside Family Services",
            "Family support and parenting help",
            "family",
            "Parents of children under 18 living in Springfield.",
            "Free",
            "English, Spanish",
            "12 Northside Avenue",
            "coordinator",
        ),
        (
            "Northside Family Services",
            "Food pantry",
            "food",
            "Anyone in need; no questions asked.",
            "Free",
            "English, Spanish",
            "12 Northside Avenue",
            "coordinator",
        ),
        (
            "Riverside Health Clinic",
            "Walk-in primary care",
            "health",
            "Anyone; insurance not required.",
            "Sliding scale by income",
            "English, Spanish, Haitian Creole",
            "400 River Road",
            "partner",
        ),
        (
            "Riverside Health Clinic",
            "Care navigation",
            "health",
            "Patients of the clinic with housing or family needs.",
            "Free",
            "English, Spanish",
            "400 River Road",
            "partner",
        ),
        (
            "Eastside Housing Coalition",
            "Emergency housing",
            "housing",
            "Families facing eviction or homelessness in the east side.",
            "Free",
            "English, Vietnamese",
            "78 East Street",
            "housing",
        ),
        (
            "Eastside Housing Coalition",
            "Tenant legal clinic",
            "legal",
            "Tenants with an eviction notice.",
            "Free",
            "English",
            "78 East Street",
            "housing",
        ),
        (
            "Lakeshore Youth Center",
            "Mentoring for young people",
            "youth",
            "Young people aged 14 to 24.",
            "Free",
            "English",
            "5 Lakeshore Drive",
            "outsider",
        ),
    ]
    for (
        org,
        name,
        category,
        eligibility,
        fees,
        languages,
        address,
        owner,
    ) in entries:
        DirectoryService.objects.get_or_create(
            organisation=orgs[org],
            name=name,
            defaults={
                "category": category,
                "eligibility": eligibility,
                "fees": fees,
                "languages": languages,
                "address": address,
                "city": "Springfield",
                "state_province": "MA",
                "postal_code": "01101",
                "phone": "555-0100",
                "opens_at": datetime.time(9, 0),
                "closes_at": datetime.time(17, 0),
                "owner": people[owner],
                # One entry is overdue for its yearly check.
                "last_verified": today
                - datetime.timedelta(days=400 if name == "Food pantry" else 60),
                "verified_by": people[owner],
                "required_documents": "Photo ID" if category == "health" else "",
                "fee_kind": "sliding" if fees.startswith("Sliding") else "free",
                "latitude": CENTRE[0],
                "longitude": CENTRE[1],
            },
        )
    _more(demo=demo)


def _more(*, demo: Demo) -> None:
    """Enough services for the screener to choose from: 60 in all, across the
    four demo organisations and a few others, near Springfield."""
    if DirectoryService.objects.count() >= 60:
        return
    rng = random.Random(60)
    orgs = list(demo.organisations.values()) + [
        Organisation.objects.get_or_create(name=name)[0] for name in OTHERS
    ]
    languages = ["English", "English, Spanish", "English, Spanish, Vietnamese"]
    n = DirectoryService.objects.count()
    while n < 60:
        name, category, description, low, high, income, fee, terms = MORE[n % len(MORE)]
        organisation = orgs[n % len(orgs)]
        zip_code = rng.choice(["01101", "01103", "01105", "01040", "01020"])
        DirectoryService.objects.get_or_create(
            organisation=organisation,
            name=f"{name} ({organisation.name.split()[0]})",
            defaults={
                "category": category,
                "description": description,
                "min_age": low,
                "max_age": high,
                "income_limit": income,
                "fee_kind": fee,
                "fees": dict(DirectoryService.FeeKind.choices)[fee],
                "taxonomy_terms": terms,
                "languages": rng.choice(languages),
                "service_area": rng.choice(["", "", "010, 011"]),
                "address": f"{rng.randint(1, 900)} Main Street",
                "city": "Springfield" if zip_code.startswith("011") else "Holyoke",
                "state_province": "MA",
                "postal_code": zip_code,
                "latitude": CENTRE[0] + rng.uniform(-0.08, 0.08),
                "longitude": CENTRE[1] + rng.uniform(-0.1, 0.1),
                "phone": f"(413) 555-{rng.randint(1000, 9999)}",
                "opening_days": rng.choice(["MO,TU,WE,TH,FR", "MO,WE,FR", "SA"]),
                "opens_at": datetime.time(rng.choice([8, 9, 10])),
                "closes_at": datetime.time(rng.choice([16, 17, 19])),
                "last_verified": demo.today
                - datetime.timedelta(days=rng.randint(5, 300)),
            },
        )
        n += 1
