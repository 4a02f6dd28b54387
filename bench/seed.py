"""Seed the large data set into the benchmark database (run inside Django).

`BENCH_SCALE` (default 1) scales the network and its history: organisations,
partnerships, people, responsibilities, learning entries, MOUs, services and
referrals. What one page shows stays the same size at every scale (the large
MOU and its 1,000 comments, the logic model, the 50 meeting series of the
benchmark person), so the growth ratio measures cost that grows with the data.
"""

import datetime
import os
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accountability.models import (
    LearningEntry,
    Practice,
    Responsibility,
    ResponsibilityUpdate,
)
from partnerships import services
from partnerships.models import (
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    SustainabilityCommitment,
)

SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def scaled(number: int) -> int:
    return max(1, round(number * SCALE))


ORGANISATIONS = scaled(500)
PARTNERSHIPS = scaled(500)
USERS = scaled(5000)
BENCH_USER = "bench-member"


RESPONSIBILITIES = scaled(20_000)
LEARNING_ENTRIES = scaled(2_000)


def seed() -> dict:
    """Each step seeds only what is missing, so later steps can be added."""
    from .seed_more import seed_comments, seed_coordinator, seed_directory

    return {
        "partners": seed_partners(),
        "accountability": seed_accountability(),
        "mous": seed_mous(),
        "meetings": seed_meetings(),
        "logic_model": seed_logic_model(),
        "referrals": seed_referrals(),
        "directory": seed_directory(),
        "coordinator": seed_coordinator(),
        "comments": seed_comments(),
    }


REFERRALS = scaled(100_000)
BIG_REFERRALS = scaled(20_000)
SERVICES = scaled(500)
COMMENTS = 1000


@transaction.atomic
def seed_referrals() -> bool:
    """100,000 referrals; 20,000 of them in one partnership (the metrics page)
    (at scale 1)."""
    from referrals.models import Referral, ReferralProtocol

    if Referral.objects.count() >= REFERRALS:
        return False
    rng = random.Random(5)
    partnerships = list(Partnership.objects.order_by("pk")[:41])
    big = partnerships[0]
    pairs = {}
    for partnership_id, organisation_id in Participation.objects.filter(
        partnership__in=partnerships
    ).values_list("partnership_id", "organisation_id"):
        pairs.setdefault(partnership_id, []).append(organisation_id)
    ReferralProtocol.objects.bulk_create(
        ReferralProtocol(
            partnership=p, criteria="Need", steps="Refer", collect_demographics=True
        )
        for p in partnerships
        if not ReferralProtocol.objects.filter(partnership=p).exists()
    )
    races = [c for c, _ in Referral.RaceEthnicity.choices]
    now = timezone.now()
    batch = []
    for n in range(REFERRALS):
        partnership = big if n < BIG_REFERRALS else partnerships[1 + n % 40]
        sender, receiver = rng.sample(pairs[partnership.pk], 2)
        requested = now - datetime.timedelta(days=rng.uniform(0, 360))
        status = rng.choice(
            [
                "requested",
                "accepted",
                "completed",
                "completed",
                "rejected",
                "in-progress",
                "failed",
                "cancelled",
            ]
        )
        acknowledged = (
            requested + datetime.timedelta(days=rng.uniform(0.1, 6))
            if status != "requested"
            else None
        )
        served = (
            acknowledged + datetime.timedelta(days=rng.uniform(0.5, 10))
            if status in ("completed", "in-progress", "failed")
            else None
        )
        closed = (
            served + datetime.timedelta(days=rng.uniform(0.5, 10))
            if status == "completed" and rng.random() < 0.8
            else None
        )
        batch.append(
            Referral(
                partnership=partnership,
                sender_id=sender,
                receiver_id=receiver,
                local_reference=f"B{n}",
                initials="AB",
                birth_year=rng.randint(1940, 2015),
                status=status,
                requested_at=requested,
                acknowledged_at=acknowledged,
                served_at=served,
                loop_closed_at=closed,
                satisfaction=rng.randint(1, 5) if closed else None,
                race_ethnicity=rng.choice(races),
                language=rng.choice(
                    ["English", "Spanish", "Vietnamese", "Haitian Creole"]
                ),
                zip_code=rng.choice(["02119", "02120", "02121", "02125", "02126"]),
            )
        )
        if len(batch) == 5000:
            Referral.objects.bulk_create(batch)
            batch = []
    Referral.objects.bulk_create(batch)
    return True


@transaction.atomic
def seed_logic_model() -> bool:
    """A 200-element, 400-link model with 50 indicators and five years of monthly
    measurements each."""
    from logicmodels.models import (
        CheckIn,
        Element,
        Indicator,
        Link,
        LogicModel,
        Measurement,
        Target,
    )

    if LogicModel.objects.filter(title="Large benchmark logic model").exists():
        return False
    rng = random.Random(11)
    partnership = Partnership.objects.order_by("pk").first()
    organisation_id = partnership.participations.values_list(
        "organisation_id", flat=True
    ).first()
    model = LogicModel.objects.create(
        partnership=partnership,
        title="Large benchmark logic model",
        state=LogicModel.State.ADOPTED,
    )
    flow = list(Element.FLOW)
    elements = Element.objects.bulk_create(
        Element(
            model=model,
            kind=flow[i % len(flow)],
            order=i,
            text=f"Element {i}: what partners do & expect, in a few words",
        )
        for i in range(200)
    )
    by_kind = {}
    for element in elements:
        by_kind.setdefault(element.kind, []).append(element)
    pairs = set()
    while len(pairs) < 400:
        column = rng.randrange(len(flow) - 1)
        source = rng.choice(by_kind[flow[column]])
        target = rng.choice(by_kind[flow[column + 1]])
        pairs.add((source.pk, target.pk))
    Link.objects.bulk_create(
        Link(model=model, source_id=s, target_id=t) for s, t in pairs
    )
    measurable = [e for e in elements if e.kind in Element.MEASURABLE]
    start = datetime.date.today().replace(day=1) - datetime.timedelta(days=5 * 365)
    indicators = Indicator.objects.bulk_create(
        Indicator(
            element=measurable[i % len(measurable)],
            name=f"Indicator {i}",
            responsible_id=organisation_id,
            frequency="monthly",
            baseline_value=10,
            reporting_from=start.replace(day=1),
        )
        for i in range(50)
    )
    measurements, targets, checkins = [], [], []
    for indicator in indicators:
        month = start.replace(day=1)
        for n in range(60):
            following = (month + datetime.timedelta(days=32)).replace(day=1)
            measurements.append(
                Measurement(
                    indicator=indicator,
                    period_start=month,
                    period_end=following - datetime.timedelta(days=1),
                    value=10 + n,
                )
            )
            month = following
        targets.append(
            Target(indicator=indicator, period_start=start, period_end=month, value=80)
        )
        checkins.append(
            CheckIn(
                indicator=indicator,
                narrative="Fine.",
                status=rng.choice(CheckIn.Status.values),
            )
        )
    Measurement.objects.bulk_create(measurements)
    Target.objects.bulk_create(targets)
    CheckIn.objects.bulk_create(checkins)
    return True


SERIES = 50


@transaction.atomic
def seed_meetings() -> bool:
    """50 monthly series in 50 partnerships with two years of meetings each (a few
    moved or cancelled), the benchmark person invited to all; one meeting with
    30 agenda items."""
    from meetings.models import AgendaItem, Invitee, Meeting, MeetingSeries

    if MeetingSeries.objects.filter(title__startswith="Bench review").exists():
        return False
    User = get_user_model()
    member = User.objects.get(username=BENCH_USER)
    partnerships = list(Partnership.objects.order_by("pk")[:SERIES])
    start = datetime.datetime(2025, 1, 14, 15, 0, tzinfo=datetime.UTC)
    all_series = []
    for index, partnership in enumerate(partnerships):
        series = MeetingSeries(
            partnership=partnership,
            title=f"Bench review {index}",
            kind=MeetingSeries.Kind.SHARED_REVIEW,
            rrule="FREQ=MONTHLY;BYDAY=2TU",
            start=start,
            duration_minutes=60,
            timezone="America/New_York",
            published=True,
            organiser=member,
        )
        series.save()
        all_series.append(series)
    Invitee.objects.bulk_create(
        Invitee(series=s, user=member, email=member.email, name="Bench Member")
        for s in all_series
    )
    meetings = []
    for series in all_series:
        for n, local in enumerate(series.local_occurrences(limit=24)):
            original = series.to_utc(local)
            moved = n % 11 == 5
            meetings.append(
                Meeting(
                    series=series,
                    original_start=original,
                    start=original + datetime.timedelta(hours=2 if moved else 0),
                    end=original + datetime.timedelta(hours=3 if moved else 1),
                    state=Meeting.State.CANCELLED
                    if n % 13 == 7
                    else Meeting.State.CLOSED
                    if original < timezone.now()
                    else Meeting.State.SCHEDULED,
                )
            )
    meetings = Meeting.objects.bulk_create(meetings)
    target = next(m for m in meetings if m.state == Meeting.State.SCHEDULED)
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=target,
            order=i,
            title=f"Agenda item {i}",
            minutes_allotted=2,
            notes="Notes for the item.",
        )
        for i in range(30)
    )
    target.series.title = "Bench review with a long agenda"
    target.series.save(update_fields=["title"])
    return True


LARGE_SECTIONS = 40
LARGE_CLAUSES = 300
MOUS = scaled(200)


@transaction.atomic
def seed_mous() -> bool:
    """200 executed MOUs of ordinary size, and one with 40 sections and 300
    clauses (the large one the benchmark opens and exports)."""
    from mou.default_template import ensure_default_template
    from mou.models import MOU, Clause, Section

    if MOU.objects.filter(title="Large benchmark MOU").exists():
        return False
    template = ensure_default_template()
    partnerships = list(Partnership.objects.order_by("pk")[: MOUS + 1])
    template_sections = list(template.sections.all())
    mous = MOU.objects.bulk_create(
        MOU(
            partnership=p,
            title="Large benchmark MOU" if i == 0 else f"{p.name} MOU",
            version=1,
            state=MOU.State.DRAFT if i == 0 else MOU.State.EXECUTED,
        )
        for i, p in enumerate(partnerships)
    )
    sections = []
    for i, mou in enumerate(mous):
        count = LARGE_SECTIONS if i == 0 else len(template_sections)
        for order in range(count):
            source = template_sections[order % len(template_sections)]
            sections.append(
                Section(mou=mou, order=order, kind=source.kind, heading=source.heading)
            )
    sections = Section.objects.bulk_create(sections)
    owners = dict(
        Participation.objects.filter(partnership__in=partnerships).values_list(
            "partnership_id", "organisation_id"
        )
    )
    clauses = []
    large = [s for s in sections if s.mou_id == mous[0].pk]
    for n in range(LARGE_CLAUSES):
        clauses.append(
            Clause(
                section=large[n % len(large)],
                order=n,
                text=f"Clause {n}: the partners agree to keep shared records of "
                "referrals & outcomes, reviewed “monthly”.",
                responsible_id=owners[mous[0].partnership_id] if n % 5 == 0 else None,
            )
        )
    for section in sections:
        if section.mou_id != mous[0].pk:
            clauses.append(
                Clause(section=section, order=0, text="The partners agree to this.")
            )
    Clause.objects.bulk_create(clauses)
    for mou in mous[:1]:
        mou.save_revision(clean=False)
    return True


@transaction.atomic
def seed_partners() -> bool:
    User = get_user_model()
    if Partnership.objects.count() >= PARTNERSHIPS:
        return False
    rng = random.Random(42)
    password = make_password("partnership")
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bench organisation {i:04}", email=f"org{i}@bench.example")
        for i in range(ORGANISATIONS)
    )
    users = User.objects.bulk_create(
        User(
            username=f"bench{i:05}",
            email=f"bench{i}@bench.example",
            first_name="Bench",
            last_name=f"Person {i}",
            password=password,
        )
        for i in range(USERS)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisations[i % ORGANISATIONS])
        for i, user in enumerate(users)
    )
    partnerships = Partnership.objects.bulk_create(
        Partnership(
            name=f"Bench partnership {i:04}",
            purpose=f"Joined-up help for families in district {i}.",
            success_criteria="Families connected within 14 days.",
            status=rng.choice(Partnership.Status.values),
            formality=rng.randint(1, 5),
        )
        for i in range(PARTNERSHIPS)
    )
    # The benchmark person's organisation takes part in every partnership.
    hub_org = organisations[0]
    participations = []
    for i, partnership in enumerate(partnerships):
        chosen = {hub_org.pk: hub_org}
        while len(chosen) < 4:
            org = organisations[rng.randrange(1, ORGANISATIONS)]
            chosen[org.pk] = org
        for position, org in enumerate(chosen.values()):
            participations.append(
                Participation(
                    partnership=partnership,
                    organisation=org,
                    role=Participation.Role.LEAD
                    if position == (i % 4)
                    else Participation.Role.PARTNER,
                )
            )
    participations = Participation.objects.bulk_create(participations)
    members_by_org = {}
    for i, user in enumerate(users):
        members_by_org.setdefault(organisations[i % ORGANISATIONS].pk, []).append(user)
    roles, commitments = [], []
    for participation in participations:
        people = members_by_org[participation.organisation_id]
        roles.append(
            PartnershipRole(
                participation=participation,
                user=people[0],
                role=PartnershipRole.Role.COORDINATOR,
            )
        )
        roles.append(
            PartnershipRole(
                participation=participation,
                user=people[1 % len(people)],
                role=PartnershipRole.Role.SIGNATORY,
            )
        )
        commitments.append(
            SustainabilityCommitment(
                participation=participation,
                kind=SustainabilityCommitment.Kind.STAFF_TIME,
                description="Coordinator time",
                amount=rng.randint(4, 80),
            )
        )
    PartnershipRole.objects.bulk_create(roles)
    SustainabilityCommitment.objects.bulk_create(commitments)
    bench_user = User.objects.create(
        username=BENCH_USER, email="bench-member@bench.example", password=password
    )
    Membership.objects.create(user=bench_user, organisation=hub_org)
    services.workspace_access_grant(user=bench_user)
    User.objects.create(
        username="bench-hub", is_staff=True, is_superuser=True, password=password
    )
    return True


@transaction.atomic
def seed_accountability() -> bool:
    if Responsibility.objects.count() >= RESPONSIBILITIES:
        return False
    rng = random.Random(7)
    today = datetime.date.today()
    participations = list(
        Participation.objects.values_list("partnership_id", "organisation_id")
    )
    statuses = Responsibility.Status.values
    responsibilities = Responsibility.objects.bulk_create(
        Responsibility(
            partnership_id=partnership_id,
            owner_id=organisation_id,
            title=f"Shared task {i}",
            due_date=today + datetime.timedelta(days=rng.randint(-150, 120)),
            status=rng.choice(statuses),
        )
        for i, (partnership_id, organisation_id) in enumerate(
            rng.choice(participations) for _ in range(RESPONSIBILITIES)
        )
    )
    ResponsibilityUpdate.objects.bulk_create(
        ResponsibilityUpdate(
            responsibility=r,
            status_from=Responsibility.Status.IN_PROGRESS,
            status_to=Responsibility.Status.DONE,
            due_date=r.due_date,
            note="Done.",
        )
        for r in responsibilities
        if r.status == Responsibility.Status.DONE
    )
    LearningEntry.objects.bulk_create(
        LearningEntry(
            partnership_id=rng.choice(participations)[0],
            title=f"Lesson {i}",
            practice=rng.choice(Practice.values),
            what_happened="Something changed.",
            what_we_learned="What we learned from it.",
            proposal_kind="mou" if i % 10 == 0 else "",
            proposal="Change the MOU." if i % 10 == 0 else "",
            proposal_status="open" if i % 10 == 0 else "",
        )
        for i in range(LEARNING_ENTRIES)
    )
    return True


def finish() -> None:
    # Fresh planner statistics after a bulk load (DESIGN.md §9).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def session_cookie(username: str) -> str:
    """A logged-in session for a benchmark user, created directly in the store."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
