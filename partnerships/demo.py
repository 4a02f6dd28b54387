"""The demo cast, its organisations and two partnerships with everything the
partnerships app keeps about them; `Demo` carries them to the other apps' demo
modules. Called first by `manage.py load_demo_data`.

Idempotent: every row is looked up by a natural key first, so running it twice
changes nothing. Every demo account's password is "partnership".
"""

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from partnerships import services
from partnerships.models import (
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    SustainabilityCommitment,
)

User = get_user_model()
PASSWORD = "partnership"  # noqa: S105 - documented demo password

ORGANISATIONS = {
    "Northside Family Services": {
        "kind": Organisation.Kind.NONPROFIT,
        "email": "info@northside.example",
        "website": "https://northside.example",
        "address": "12 Northside Avenue, Springfield",
    },
    "Riverside Health Clinic": {
        "kind": Organisation.Kind.HEALTH,
        "email": "front.desk@riverside.example",
        "website": "https://riverside.example",
        "address": "400 River Road, Springfield",
    },
    "Eastside Housing Coalition": {
        "kind": Organisation.Kind.HOUSING,
        "email": "hello@eastsidehousing.example",
        "website": "https://eastsidehousing.example",
        "address": "78 East Street, Springfield",
    },
    "Lakeshore Youth Center": {
        "kind": Organisation.Kind.NONPROFIT,
        "email": "team@lakeshoreyouth.example",
        "website": "https://lakeshoreyouth.example",
        "address": "5 Lakeshore Drive, Springfield",
    },
}

# username: (first, last, organisation, job title, leadership viewer)
PEOPLE = {
    "coordinator": (
        "Carmen",
        "Ortiz",
        "Northside Family Services",
        "Partnerships Manager",
        False,
    ),
    "partner": ("Priya", "Nair", "Riverside Health Clinic", "Care Navigator", False),
    "signatory": (
        "Samuel",
        "Reed",
        "Riverside Health Clinic",
        "Chief Executive",
        False,
    ),
    "housing": (
        "Hannah",
        "Kim",
        "Eastside Housing Coalition",
        "Executive Director",
        False,
    ),
    "leader": (
        "Leon",
        "Baptiste",
        "Northside Family Services",
        "Director of Programmes",
        True,
    ),
    "outsider": ("Olivia", "Chen", "Lakeshore Youth Center", "Programme Lead", False),
}

# Who decides, for each organisation, who works for it in the workspace.
ADMINISTRATORS = {"coordinator", "signatory", "housing", "outsider"}

EASTSIDE = "Eastside Family Support Partnership"
LAKESHORE = "Lakeshore Youth Mentoring Partnership"


@dataclasses.dataclass(frozen=True)
class Demo:
    """What every app's demo data builds on, passed from app to app."""

    today: datetime.date
    hub: AbstractBaseUser
    # By username (see PEOPLE) and by organisation name (see ORGANISATIONS).
    people: dict[str, AbstractBaseUser]
    organisations: dict[str, Organisation]
    # The partnership where everything happens, and the one still forming.
    eastside: Partnership
    lakeshore: Partnership


def load(*, today: datetime.date) -> Demo:
    """Load the cast, organisations and partnerships; return them for the apps."""
    hub = _user("hub", "Hana", "Bauer", staff=True)
    organisations = {
        name: Organisation.objects.get_or_create(name=name, defaults=fields)[0]
        for name, fields in ORGANISATIONS.items()
    }
    people = {}
    for username, (first, last, org, title, leadership) in PEOPLE.items():
        user = _user(username, first, last)
        services.workspace_access_grant(user=user)
        membership, _ = Membership.objects.get_or_create(
            user=user,
            organisation=organisations[org],
            defaults={"job_title": title, "is_leadership": leadership},
        )
        if membership.is_admin != (username in ADMINISTRATORS):
            membership.is_admin = username in ADMINISTRATORS
            membership.save(update_fields=["is_admin"])
        people[username] = user

    eastside = _partnership(
        EASTSIDE,
        lead=organisations["Northside Family Services"],
        by=people["coordinator"],
        purpose="Families on the east side get joined-up help with health, "
        "housing and family support: one conversation, a warm referral, and "
        "follow-up until the family is settled.",
        success_criteria="Within a year, 80% of referred families are "
        "connected to a service within 14 days; partners review shared "
        "families monthly and report progress to their boards each quarter.",
        formality=Partnership.Formality.COALITION,
        status=Partnership.Status.ACTIVE,
        start_date=today.replace(month=1, day=1),
        end_date=today.replace(month=1, day=1) + datetime.timedelta(days=3 * 365),
        shares_client_data=True,
    )
    _participate(eastside, organisations["Riverside Health Clinic"])
    _participate(eastside, organisations["Eastside Housing Coalition"])
    _role(eastside, people["coordinator"], PartnershipRole.Role.SIGNATORY)
    _role(eastside, people["partner"], PartnershipRole.Role.CONTACT)
    _role(eastside, people["signatory"], PartnershipRole.Role.SIGNATORY)
    _role(eastside, people["housing"], PartnershipRole.Role.SIGNATORY)
    _role(eastside, people["housing"], PartnershipRole.Role.CONTACT)
    _commit(
        eastside,
        "Northside Family Services",
        SustainabilityCommitment.Kind.STAFF_TIME,
        "Partnership coordinator, half time",
        80,
    )
    _commit(
        eastside,
        "Northside Family Services",
        SustainabilityCommitment.Kind.SPONSOR,
        "Director of Programmes sponsors the partnership at board level",
    )
    _commit(
        eastside,
        "Riverside Health Clinic",
        SustainabilityCommitment.Kind.STAFF_TIME,
        "Care navigator for shared families",
        40,
    )
    _commit(
        eastside,
        "Riverside Health Clinic",
        SustainabilityCommitment.Kind.IN_KIND,
        "Meeting room and interpreter line",
    )
    _commit(
        eastside,
        "Eastside Housing Coalition",
        SustainabilityCommitment.Kind.MONEY,
        "Emergency housing fund for shared families",
        25000,
    )

    lakeshore = _partnership(
        LAKESHORE,
        lead=organisations["Lakeshore Youth Center"],
        by=people["outsider"],
        purpose="Young people in supported housing are matched with mentors "
        "and stay in education or training.",
        success_criteria="Forty young people matched in the first year; "
        "nine in ten matches last six months or more.",
        formality=Partnership.Formality.COORDINATION,
        status=Partnership.Status.FORMING,
        start_date=today,
        end_date=None,
    )
    _participate(lakeshore, organisations["Eastside Housing Coalition"])
    _role(lakeshore, people["housing"], PartnershipRole.Role.CONTACT)
    _commit(
        lakeshore,
        "Lakeshore Youth Center",
        SustainabilityCommitment.Kind.STAFF_TIME,
        "Mentoring coordinator",
        60,
    )

    return Demo(
        today=today,
        hub=hub,
        people=people,
        organisations=organisations,
        eastside=eastside,
        lakeshore=lakeshore,
    )


def _user(username, first, last, *, staff=False):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.org",
            "is_staff": staff,
            "is_superuser": staff,
        },
    )
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


def _partnership(name, *, lead, by, **fields):
    existing = Partnership.objects.filter(name=name).first()
    if existing:
        return existing
    return services.partnership_create(by=by, lead=lead, name=name, **fields)


def _participate(partnership, organisation):
    if not Participation.objects.filter(
        partnership=partnership, organisation=organisation
    ).exists():
        services.participation_add(
            partnership=partnership,
            organisation=organisation,
            role=Participation.Role.PARTNER,
            by=partnership.created_by,
        )


def _role(partnership, user, role):
    participation = Participation.objects.get(
        partnership=partnership, organisation__memberships__user=user
    )
    services.role_assign(
        participation=participation, user=user, role=role, by=partnership.created_by
    )


def _commit(partnership, organisation, kind, description, amount=None):
    participation = Participation.objects.get(
        partnership=partnership, organisation__name=organisation
    )
    if not participation.commitments.filter(description=description).exists():
        services.commitment_add(
            participation=participation,
            by=partnership.created_by,
            kind=kind,
            description=description,
            amount=amount,
        )
