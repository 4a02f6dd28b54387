"""Demo data for trying the workspace: `manage.py load_demo_data`.

Idempotent: every row is looked up by a natural key first, so running it twice
changes nothing. Every demo account's password is "partnership".
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import DirectoryPage, GuideIndexPage, GuidePage, HomePage
from directory.models import DirectoryService
from logicmodels import services as model_services
from logicmodels.models import Measurement
from meetings import services as meeting_services
from meetings.models import MeetingSeries
from mou import services as mou_services
from mou.models import MOU, MOUTemplate
from partnerships import services
from partnerships.emails import muted
from partnerships.models import (
    HealthCheckRound,
    LearningEntry,
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    Practice,
    Responsibility,
    SustainabilityCommitment,
)
from referrals import services as referral_services
from referrals.models import Referral

from .guides import GUIDES, HOME_BODY, HOME_INTRO

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


class Command(BaseCommand):
    help = "Load the demo organisations, people, partnerships and public pages."

    @transaction.atomic
    def handle(self, *args, **options):
        # The demo people are invented: the product's notices are not sent to them.
        with muted():
            self.load()

    def load(self):
        self.hub = self.user("hub", "Hana", "Bauer", staff=True)
        organisations = {
            name: Organisation.objects.get_or_create(name=name, defaults=fields)[0]
            for name, fields in ORGANISATIONS.items()
        }
        people = {}
        for username, (first, last, org, title, leadership) in PEOPLE.items():
            user = self.user(username, first, last)
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

        today = datetime.date.today()
        eastside = self.partnership(
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
        self.participate(eastside, organisations["Riverside Health Clinic"])
        self.participate(eastside, organisations["Eastside Housing Coalition"])
        self.role(eastside, people["coordinator"], PartnershipRole.Role.SIGNATORY)
        self.role(eastside, people["partner"], PartnershipRole.Role.CONTACT)
        self.role(eastside, people["signatory"], PartnershipRole.Role.SIGNATORY)
        self.role(eastside, people["housing"], PartnershipRole.Role.SIGNATORY)
        self.role(eastside, people["housing"], PartnershipRole.Role.CONTACT)
        self.commit(
            eastside,
            "Northside Family Services",
            SustainabilityCommitment.Kind.STAFF_TIME,
            "Partnership coordinator, half time",
            80,
        )
        self.commit(
            eastside,
            "Northside Family Services",
            SustainabilityCommitment.Kind.SPONSOR,
            "Director of Programmes sponsors the partnership at board level",
        )
        self.commit(
            eastside,
            "Riverside Health Clinic",
            SustainabilityCommitment.Kind.STAFF_TIME,
            "Care navigator for shared families",
            40,
        )
        self.commit(
            eastside,
            "Riverside Health Clinic",
            SustainabilityCommitment.Kind.IN_KIND,
            "Meeting room and interpreter line",
        )
        self.commit(
            eastside,
            "Eastside Housing Coalition",
            SustainabilityCommitment.Kind.MONEY,
            "Emergency housing fund for shared families",
            25000,
        )

        lakeshore = self.partnership(
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
        self.participate(lakeshore, organisations["Eastside Housing Coalition"])
        self.role(lakeshore, people["housing"], PartnershipRole.Role.CONTACT)
        self.commit(
            lakeshore,
            "Lakeshore Youth Center",
            SustainabilityCommitment.Kind.STAFF_TIME,
            "Mentoring coordinator",
            60,
        )

        self.accountability(eastside, lakeshore, organisations, people, today)
        # The referral protocol comes first: the MOU's referral methods quote it.
        self.referrals(eastside, organisations, people)
        self.agreements(eastside, lakeshore, organisations, people)
        self.meetings(eastside, organisations, people, today)
        self.logic_model(eastside, organisations, people, today)
        self.directory(organisations, people, today)
        self.site()
        if connection.vendor == "sqlite":
            # Fresh statistics keep SQLite's planner honest (DESIGN.md §9).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA optimize")
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))

    def accountability(self, eastside, lakeshore, orgs, people, today):
        days = datetime.timedelta
        Status = Responsibility.Status
        items = [
            # partnership, title, owner, person, due, cadence, final status
            (
                eastside,
                "Send the monthly shared-families list",
                "Northside Family Services",
                "coordinator",
                today + days(5),
                "monthly",
                Status.IN_PROGRESS,
            ),
            (
                eastside,
                "Train front-desk staff on warm referrals",
                "Riverside Health Clinic",
                "partner",
                today - days(12),
                "",
                Status.IN_PROGRESS,
            ),
            (
                eastside,
                "Reserve two emergency housing units for shared families",
                "Eastside Housing Coalition",
                "housing",
                today - days(3),
                "",
                Status.AT_RISK,
            ),
            (
                eastside,
                "Agree the referral consent form",
                "Riverside Health Clinic",
                "signatory",
                today - days(20),
                "",
                Status.DONE,
            ),
            (
                eastside,
                "Publish the partner contact sheet",
                "Northside Family Services",
                None,
                today - days(40),
                "",
                Status.DONE,
            ),
            (
                eastside,
                "Quarterly report to the three boards",
                "Northside Family Services",
                "coordinator",
                today + days(45),
                "",
                Status.NOT_STARTED,
            ),
            (
                lakeshore,
                "Recruit the first ten mentors",
                "Lakeshore Youth Center",
                "outsider",
                today - days(2),
                "",
                Status.IN_PROGRESS,
            ),
            (
                lakeshore,
                "Share the list of young people in supported housing",
                "Eastside Housing Coalition",
                "housing",
                today + days(10),
                "",
                Status.NOT_STARTED,
            ),
        ]
        for partnership, title, owner, person, due, cadence, status in items:
            if partnership.responsibilities.filter(title=title).exists():
                continue
            by = partnership.created_by
            responsibility = services.responsibility_create(
                partnership=partnership,
                by=by,
                title=title,
                owner=orgs[owner],
                owner_person=people.get(person),
                due_date=due,
                cadence=cadence,
            )
            if status != Status.NOT_STARTED:
                services.responsibility_report(
                    responsibility=responsibility,
                    by=people.get(person) or by,
                    status=status,
                    note={
                        Status.DONE: "Done and shared with all partners.",
                        Status.AT_RISK: "Only one unit is free until the new "
                        "building opens; we may need a month more.",
                        Status.IN_PROGRESS: "Under way.",
                    }[status],
                )
        if not eastside.learning_entries.exists():
            services.learning_entry_create(
                partnership=eastside,
                by=people["partner"],
                title="Families dropped out between the clinic and housing",
                kind=LearningEntry.Kind.REFLECTION,
                practice=Practice.COMMUNICATE,
                happened_on=today - days(30),
                what_happened="Three families referred from the clinic never "
                "reached the housing coalition; the hand-off was a phone number "
                "on paper.",
                what_we_learned="A warm hand-off, with the family's consent and a "
                "named person on each side, keeps families in the process.",
                what_we_change="Care navigators call the housing intake worker "
                "with the family present.",
                proposal_kind=LearningEntry.ProposalKind.MOU,
                proposal="Add the warm hand-off to the referral-methods section of "
                "the MOU.",
            )
            services.learning_entry_create(
                partnership=eastside,
                by=people["coordinator"],
                title="Trauma-informed care training for all partners",
                kind=LearningEntry.Kind.TRAINING,
                practice=Practice.LEARN,
                happened_on=today - days(60),
                what_happened="Twenty-two staff from the three organisations took "
                "a half-day training together.",
                what_we_learned="Staff want a shared glossary; terms differ between "
                "health and housing.",
            )
        self.health_rounds(eastside, orgs, people, today)

    def health_rounds(self, eastside, orgs, people, today):
        if eastside.health_rounds.exists():
            return
        answers = {
            # person: organisation, first round scores, second round scores
            "coordinator": (
                "Northside Family Services",
                [4, 3, 3, 3, 3],
                [4, 4, 3, 4, 4],
            ),
            "partner": ("Riverside Health Clinic", [3, 2, 3, 2, 3], [4, 3, 3, 3, 4]),
            "signatory": ("Riverside Health Clinic", [4, 3, 2, 3, 3], [4, 4, 3, 4, 3]),
            "housing": ("Eastside Housing Coalition", [3, 3, 2, 2, 2], [4, 3, 3, 3, 3]),
        }
        collaboration = {
            "coordinator": {
                "Riverside Health Clinic": 4,
                "Eastside Housing Coalition": 4,
            },
            "partner": {
                "Northside Family Services": 3,
                "Eastside Housing Coalition": 1,
            },
            "signatory": {
                "Northside Family Services": 4,
                "Eastside Housing Coalition": 2,
            },
            "housing": {"Northside Family Services": 4, "Riverside Health Clinic": 4},
        }
        for index, title in enumerate(["Health check, spring", "Health check, autumn"]):
            health_round = services.health_round_open(
                partnership=eastside,
                by=people["coordinator"],
                title=title,
                closes_on=today,
            )
            for person, (org, first, second) in answers.items():
                scores = first if index == 0 else second
                services.health_response_submit(
                    health_round=health_round,
                    by=people[person],
                    organisation=orgs[org],
                    ratings={
                        practice: (score, "")
                        for practice, score in zip(Practice.values, scores, strict=True)
                    },
                    collaboration={
                        orgs[name].pk: level
                        for name, level in collaboration[person].items()
                    },
                )
            services.health_round_close(
                health_round=health_round, by=people["coordinator"]
            )
            opened = timezone.now() - datetime.timedelta(days=180 * (2 - index))
            HealthCheckRound.objects.filter(pk=health_round.pk).update(
                opened_at=opened,
                closes_on=(opened + datetime.timedelta(days=14)).date(),
                closed_at=opened + datetime.timedelta(days=14),
            )

    def agreements(self, eastside, lakeshore, orgs, people):
        if eastside.mous.exists():
            return
        template = MOUTemplate.objects.get(is_default=True)
        coordinator = people["coordinator"]
        mou = mou_services.mou_create_from_template(
            partnership=eastside, template=template, by=coordinator
        )
        commitments = [
            (
                "Northside Family Services",
                "Northside coordinates the partnership, "
                "keeps the shared-families list and chairs the monthly review.",
                None,
                "monthly",
            ),
            (
                "Riverside Health Clinic",
                "Riverside screens patients for housing and "
                "family needs and refers them, with consent, within two working days.",
                None,
                "",
            ),
            (
                "Eastside Housing Coalition",
                "Eastside Housing keeps two emergency "
                "units available for families referred by the partners.",
                None,
                "",
            ),
        ]
        self.add_commitments(mou, coordinator, orgs, commitments)
        mou_services.mou_submit_for_review(mou=mou, by=coordinator)
        mou_services.mou_open_signing(mou=mou, by=coordinator)
        signers = [
            ("coordinator", "Northside Family Services", "Partnerships Manager"),
            ("signatory", "Riverside Health Clinic", "Chief Executive"),
            ("housing", "Eastside Housing Coalition", "Executive Director"),
        ]
        for username, org, title in signers:
            # Each signer signs the text they were shown: its fingerprint.
            mou_services.mou_sign(
                mou=mou,
                by=people[username],
                organisation=orgs[org],
                full_name=people[username].get_full_name(),
                title=title,
                fingerprint=MOU.objects.get(pk=mou.pk).frozen_hash,
            )
        amendment = mou_services.mou_amend(
            mou=MOU.objects.get(pk=mou.pk), by=coordinator
        )
        self.add_commitments(
            amendment,
            coordinator,
            orgs,
            [
                (
                    "Riverside Health Clinic",
                    "Riverside's care navigators make a warm "
                    "hand-off: they call the housing intake worker with the family "
                    "present.",
                    None,
                    "",
                ),
            ],
        )
        mou_services.mou_submit_for_review(mou=amendment, by=coordinator)
        mou_services.mou_open_signing(mou=amendment, by=coordinator)
        for username, org, title in signers[:2]:
            mou_services.mou_sign(
                mou=amendment,
                by=people[username],
                organisation=orgs[org],
                full_name=people[username].get_full_name(),
                title=title,
                fingerprint=MOU.objects.get(pk=amendment.pk).frozen_hash,
            )

        draft = mou_services.mou_create_from_template(
            partnership=lakeshore, template=template, by=people["outsider"]
        )
        roles = draft.sections.get(kind="roles")
        first = roles.clauses.first()
        mou_services.comment_add(
            mou=draft,
            by=people["housing"],
            clause=first,
            body="Can we name the housing caseworker here? @outsider",
        )
        mou_services.comment_add(
            mou=draft,
            by=people["outsider"],
            body="Draft for discussion at our first meeting.",
        )

    def meetings(self, eastside, orgs, people, today):
        if eastside.meeting_series.exists():
            return
        coordinator = people["coordinator"]
        members = [
            (people[name], people[name].email, people[name].get_full_name())
            for name in ("coordinator", "partner", "housing")
        ]
        # Started three months ago, so two reviews are already behind us.
        first = (today.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
        monthly = meeting_services.series_create(
            partnership=eastside,
            by=coordinator,
            title="Monthly shared-participant review",
            kind=MeetingSeries.Kind.SHARED_REVIEW,
            rrule="FREQ=MONTHLY;BYDAY=2TU",
            start_local=datetime.datetime.combine(first, datetime.time(10, 0)),
            duration_minutes=60,
            tz=eastside.timezone,
            location="Northside Family Services, meeting room 2",
            video_url="https://video.example.org/eastside-review",
            agenda_template="Families we share: updates\nReferrals waiting\n"
            "Anything else",
            invitees=[
                *members,
                (None, "ana.costa@pantry.example", "Ana Costa (Westside Pantry)"),
            ],
        )
        meeting_services.series_publish(series=monthly, by=coordinator)
        now = timezone.now()
        past = meeting_services.occurrences(
            monthly, start=now - datetime.timedelta(days=120), end=now
        )[-2:]
        for index, occurrence in enumerate(past):
            meeting = meeting_services.occurrence_for(monthly, occurrence.key)
            meeting_services.meeting_hold(meeting=meeting, by=coordinator)
            meeting_services.attendance_mark(
                meeting=meeting,
                by=coordinator,
                present=set(monthly.invitees.values_list("pk", flat=True)),
            )
            for item in meeting.agenda.all():
                meeting_services.minutes_record(
                    item=item, by=coordinator, minutes="Discussed; see actions."
                )
            meeting_services.decision_record(
                meeting=meeting,
                by=coordinator,
                text="Warm hand-offs for every housing referral."
                if index == 0
                else "Review the housing waiting list weekly.",
            )
            meeting_services.action_record(
                meeting=meeting,
                by=coordinator,
                text="Share the waiting list with partners every Monday"
                if index == 0
                else "Draft a joint intake form",
                owner=orgs["Riverside Health Clinic"]
                if index == 0
                else orgs["Eastside Housing Coalition"],
                due_date=today + datetime.timedelta(days=14 * (index + 1)),
            )
            meeting_services.meeting_close(
                meeting=meeting, by=coordinator, summary="Good attendance."
            )
        quarterly = meeting_services.series_create(
            partnership=eastside,
            by=coordinator,
            title="Quarterly strategic review",
            kind=MeetingSeries.Kind.STRATEGIC,
            rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE",
            start_local=datetime.datetime.combine(
                today + datetime.timedelta(days=20), datetime.time(14, 0)
            ),
            duration_minutes=90,
            tz=eastside.timezone,
            location="Riverside Health Clinic, board room",
            invitees=[
                *members,
                (
                    people["leader"],
                    people["leader"].email,
                    people["leader"].get_full_name(),
                ),
            ],
        )
        meeting_services.series_publish(series=quarterly, by=coordinator)

    def logic_model(self, eastside, orgs, people, today):
        if eastside.logic_models.exists():
            return
        by = people["coordinator"]
        model = model_services.model_create(
            partnership=eastside,
            by=by,
            title="Families connected to the help they need",
            problem_statement="Families on the east side juggle health, housing and "
            "family services that do not talk to each other; many give up between "
            "referrals.",
            next_review=today + datetime.timedelta(days=120),
        )
        north, river, housing = (
            orgs["Northside Family Services"],
            orgs["Riverside Health Clinic"],
            orgs["Eastside Housing Coalition"],
        )
        plan = {
            "input": [
                "Coordinator, half time",
                "Care navigators at the clinic",
                "Emergency housing fund",
                "Shared referral protocol",
            ],
            "activity": [
                "Screen patients for housing and family needs",
                "Warm hand-offs between partners",
                "Monthly review of shared families",
                "Joint training on trauma-informed care",
            ],
            "output": [
                "Families screened",
                "Referrals made with consent",
                "Shared families reviewed each month",
                "Staff trained",
            ],
            "short": [
                "Families connected to housing help within 14 days",
                "Families keep their appointments",
            ],
            "intermediate": [
                "Families stably housed for six months",
                "Fewer emergency visits by shared families",
            ],
            "long": ["Children stay in the same school all year"],
            "impact": ["East-side families are healthy and stably housed"],
            "assumption": [
                "Families agree to share information",
                "Housing units become available each quarter",
            ],
            "external": ["Rents keep rising", "State funding for navigators"],
            # 25 elements in all
        }
        plan["output"].append("Housing applications completed")
        plan["input"].append("Interpreter line")
        plan["activity"].append("Quarterly report to the partners' boards")
        elements = {}
        for kind, texts in plan.items():
            for text in texts:
                elements[text] = model_services.element_add(
                    model=model, by=by, kind=kind, text=text
                )
        chain = [
            ("Coordinator, half time", "Monthly review of shared families"),
            (
                "Care navigators at the clinic",
                "Screen patients for housing and family needs",
            ),
            ("Emergency housing fund", "Warm hand-offs between partners"),
            ("Shared referral protocol", "Warm hand-offs between partners"),
            ("Screen patients for housing and family needs", "Families screened"),
            ("Warm hand-offs between partners", "Referrals made with consent"),
            ("Warm hand-offs between partners", "Housing applications completed"),
            (
                "Monthly review of shared families",
                "Shared families reviewed each month",
            ),
            ("Joint training on trauma-informed care", "Staff trained"),
            (
                "Referrals made with consent",
                "Families connected to housing help within 14 days",
            ),
            (
                "Housing applications completed",
                "Families connected to housing help within 14 days",
            ),
            ("Shared families reviewed each month", "Families keep their appointments"),
            (
                "Families connected to housing help within 14 days",
                "Families stably housed for six months",
            ),
            (
                "Families keep their appointments",
                "Fewer emergency visits by shared families",
            ),
            (
                "Families stably housed for six months",
                "Children stay in the same school all year",
            ),
            (
                "Children stay in the same school all year",
                "East-side families are healthy and stably housed",
            ),
        ]
        for source, target in chain:
            model_services.link_add(
                model=model, by=by, source=elements[source], target=elements[target]
            )
        start = (today - datetime.timedelta(days=730)).replace(day=1)
        indicators = [
            (
                "Families screened",
                "Families screened per month",
                "count",
                river,
                40,
                90,
                3.0,
                "on_track",
            ),
            (
                "Referrals made with consent",
                "Referrals made with consent",
                "count",
                river,
                10,
                35,
                1.2,
                "on_track",
            ),
            (
                "Housing applications completed",
                "Housing applications completed",
                "count",
                housing,
                5,
                20,
                0.6,
                "at_risk",
            ),
            (
                "Staff trained",
                "Staff trained (cumulative)",
                "count",
                north,
                0,
                60,
                2.5,
                "on_track",
            ),
            (
                "Families connected to housing help within 14 days",
                "Share connected within 14 days",
                "percent",
                housing,
                35,
                80,
                0.4,
                "off_track",
            ),
            (
                "Families keep their appointments",
                "Appointments kept",
                "percent",
                river,
                60,
                85,
                0.9,
                "on_track",
            ),
            (
                "Families stably housed for six months",
                "Housed six months later",
                "percent",
                housing,
                50,
                75,
                0.8,
                "at_risk",
            ),
            (
                "Fewer emergency visits by shared families",
                "Emergency visits per 100 families",
                "rate",
                river,
                30,
                15,
                -0.5,
                "on_track",
            ),
        ]
        for element, name, unit, owner, baseline, target, step, status in indicators:
            indicator = model_services.indicator_add(
                element=elements[element],
                by=by,
                name=name,
                unit=unit,
                responsible=owner,
                frequency="monthly",
                direction="down" if step < 0 else "up",
                baseline_value=baseline,
                baseline_date=start,
                reporting_from=start,
                data_source="Partners' case records",
            )
            model_services.target_add(
                indicator=indicator,
                by=by,
                period_start=today.replace(month=1, day=1),
                period_end=today.replace(month=12, day=31),
                value=target,
            )
            month = start
            value = float(baseline)
            rows = []
            while month < today.replace(day=1):
                following = (month + datetime.timedelta(days=32)).replace(day=1)
                value += step
                rows.append(
                    Measurement(
                        indicator=indicator,
                        period_start=month,
                        period_end=following - datetime.timedelta(days=1),
                        value=round(value, 1),
                        entered_by=by,
                    )
                )
                month = following
            Measurement.objects.bulk_create(rows)
            model_services.checkin_add(
                indicator=indicator,
                by=by,
                status=status,
                narrative={
                    "on_track": "Steady progress towards this year's target.",
                    "at_risk": "Behind plan; partners agreed extra effort.",
                    "off_track": "Waiting lists for housing grew this winter; we "
                    "will not reach the target without more units.",
                }[status],
            )
        model_services.model_adopt(model=model, by=by)

    def referrals(self, eastside, orgs, people):
        if Referral.objects.filter(partnership=eastside).exists():
            return
        referral_services.protocol_save(
            partnership=eastside,
            by=people["coordinator"],
            criteria="A family with a housing, health or family-support need that "
            "another partner serves, who wants to be connected.",
            steps="1. Ask the family what they want and explain the options.\n"
            "2. Read the consent text and record the answer.\n"
            "3. Send the referral with the fields below.\n"
            "4. The receiving partner acknowledges, serves and reports back.",
            fields=[
                {
                    "name": "need",
                    "label": "Main need",
                    "type": "choice",
                    "required": True,
                    "choices": ["housing", "primary care", "family support"],
                },
                {"name": "urgent", "label": "Urgent", "type": "yesno"},
                {"name": "best_time", "label": "Best time to call", "type": "text"},
            ],
            collect_demographics=True,
            consent_required=True,
            consent_text="I agree that {sender} shares my initials, year of birth and "
            "the need I described with {receiver}, so they can contact me about "
            "help. I can withdraw this at any time by telling either organisation. "
            "It expires after one year.",
            acknowledge_days=2,
            outcome_days=30,
            contacts="Northside: Carmen Ortiz. Riverside: Priya Nair. Eastside "
            "Housing: Hannah Kim.",
        )
        rng = random.Random(2026)
        members = {
            "Northside Family Services": people["coordinator"],
            "Riverside Health Clinic": people["partner"],
            "Eastside Housing Coalition": people["housing"],
        }
        names = list(members)
        races = [c for c, _ in Referral.RaceEthnicity.choices]
        weights = [2, 6, 30, 28, 3, 2, 20, 5, 4]
        languages = ["English"] * 6 + ["Spanish"] * 3 + ["Haitian Creole", "Vietnamese"]
        now = timezone.now()
        for n in range(300):
            sender, receiver = rng.sample(names, 2)
            requested = now - datetime.timedelta(days=rng.uniform(1, 365))
            referral = referral_services.referral_create(
                partnership=eastside,
                by=members[sender],
                sender=orgs[sender],
                receiver=orgs[receiver],
                local_reference=f"{sender[:2].upper()}-{1000 + n}",
                initials="".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(2)),
                birth_year=rng.randint(1945, 2010),
                details={
                    "need": rng.choice(["housing", "primary care", "family support"])
                },
                consent={"given": True, "by": "The client", "scope": "As read"},
                demographics={
                    "race_ethnicity": rng.choices(races, weights)[0],
                    "language": rng.choice(languages),
                    "zip_code": rng.choice(["02119", "02120", "02121", "02125"]),
                },
                requested_at=requested,
            )
            path = rng.choices(
                [
                    ["accepted", "in-progress", "completed"],
                    ["accepted", "completed"],
                    ["rejected"],
                    ["accepted", "on-hold"],
                    ["accepted", "failed"],
                    ["cancelled"],
                    [],
                ],
                [40, 15, 8, 6, 6, 5, 20],
            )[0]
            moment = requested
            if requested > now - datetime.timedelta(days=20):
                path = path[:1]
            for status in path:
                moment += datetime.timedelta(days=rng.uniform(0.2, 6))
                referral_services.referral_move(
                    referral=referral,
                    by=members[sender] if status == "cancelled" else members[receiver],
                    status=status,
                    reason=""
                    if status not in ("rejected", "cancelled", "on-hold", "failed")
                    else "Not eligible"
                    if status == "rejected"
                    else "Client asked",
                    at=moment,
                )
            if (
                path
                and path[-1] in ("completed", "failed", "rejected")
                and (rng.random() < 0.8)
            ):
                referral_services.referral_feedback(
                    referral=referral,
                    by=members[receiver],
                    feedback="Outcome shared with the referring partner.",
                    satisfaction=rng.randint(3, 5) if path[-1] == "completed" else None,
                )
                referral = Referral.objects.get(pk=referral.pk)
                referral.loop_closed_at = moment + datetime.timedelta(days=1)
                referral.save(update_fields=["loop_closed_at"])

    def directory(self, orgs, people, today):
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

    def add_commitments(self, mou, by, orgs, commitments):
        section = mou.sections.get(kind="roles")
        clauses = [
            {
                "id": c.pk,
                "text": c.text,
                "responsible": c.responsible,
                "due_date": c.due_date,
                "cadence": c.cadence,
            }
            for c in section.clauses.all()
        ]
        today = datetime.date.today()
        for org, text, due, cadence in commitments:
            clauses.append(
                {
                    "text": text,
                    "responsible": orgs[org],
                    "due_date": due or (today + datetime.timedelta(days=30)),
                    "cadence": cadence,
                }
            )
        mou.refresh_from_db()
        mou_services.mou_section_save(
            mou=mou,
            section=section,
            by=by,
            base_revision_id=mou.latest_revision_id,
            heading=section.heading,
            kind=section.kind,
            clauses=clauses,
        )

    def user(self, username, first, last, *, staff=False):
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

    def partnership(self, name, *, lead, by, **fields):
        existing = Partnership.objects.filter(name=name).first()
        if existing:
            return existing
        return services.partnership_create(by=by, lead=lead, name=name, **fields)

    def participate(self, partnership, organisation):
        if not Participation.objects.filter(
            partnership=partnership, organisation=organisation
        ).exists():
            services.participation_add(
                partnership=partnership,
                organisation=organisation,
                role=Participation.Role.PARTNER,
                by=partnership.created_by,
            )

    def role(self, partnership, user, role):
        participation = Participation.objects.get(
            partnership=partnership, organisation__memberships__user=user
        )
        services.role_assign(
            participation=participation, user=user, role=role, by=partnership.created_by
        )

    def commit(self, partnership, organisation, kind, description, amount=None):
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

    def site(self):
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            home = root.add_child(
                instance=HomePage(
                    title="Partnerships that work as one",
                    slug="welcome",
                    intro=HOME_INTRO,
                    body=HOME_BODY,
                )
            )
            home.save_revision().publish()
            site = Site.objects.filter(is_default_site=True).first()
            if site:
                old_root = site.root_page
                site.root_page = home
                site.save()
                if old_root.pk != home.pk and old_root.specific_class is Page:
                    old_root.delete()
            else:
                Site.objects.create(
                    hostname="localhost", root_page=home, is_default_site=True
                )
        index = GuideIndexPage.objects.first()
        if index is None:
            index = home.add_child(
                instance=GuideIndexPage(
                    title="Guides",
                    slug="guides",
                    intro="<p>Short guides to the practices that keep partnerships "
                    "and referrals working, and how the workspace supports each "
                    "one.</p>",
                )
            )
            index.save_revision().publish()
        if not DirectoryPage.objects.exists():
            directory = home.add_child(
                instance=DirectoryPage(
                    title="Find help near you",
                    slug="find-help",
                    intro="<p>Services offered by the partner organisations. Search "
                    "by need, language or location; call the service or ask any "
                    "partner to refer you.</p>",
                )
            )
            directory.save_revision().publish()
        for guide in GUIDES:
            if not GuidePage.objects.filter(slug=guide["slug"]).exists():
                page = index.add_child(instance=GuidePage(**guide))
                page.save_revision().publish()
