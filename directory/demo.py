"""The partner organisations' services in the public directory. Called by
`manage.py load_demo_data`."""

import datetime

from directory.models import DirectoryService
from partnerships.demo import Demo


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
            },
        )
