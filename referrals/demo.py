"""The demo partnership's referral protocol and a year of referrals between its
three partners (seeded, so every run draws the same 300). Called by
`manage.py load_demo_data`."""

import datetime
import random

from django.utils import timezone

from partnerships.demo import Demo
from referrals import services as referral_services
from referrals.models import Referral


def load(*, demo: Demo) -> None:
    eastside = demo.eastside
    orgs = demo.organisations
    people = demo.people
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
            details={"need": rng.choice(["housing", "primary care", "family support"])},
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
