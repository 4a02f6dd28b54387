"""Demo data of shared accountability: responsibilities with their progress,
the learning log and two closed rounds of health checks."""

import datetime

from django.utils import timezone

from partnerships.demo import Demo

from . import services
from .models import HealthCheckRound, LearningEntry, Practice, Responsibility


def load(*, demo: Demo) -> None:
    orgs, people, today = demo.organisations, demo.people, demo.today
    _accountability(demo.eastside, demo.lakeshore, orgs, people, today)


def _accountability(eastside, lakeshore, orgs, people, today):
    """Responsibilities, the learning log and two rounds of health checks."""
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
    _health_rounds(eastside, orgs, people, today)


def _health_rounds(eastside, orgs, people, today):
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
        services.health_round_close(health_round=health_round, by=people["coordinator"])
        opened = timezone.now() - datetime.timedelta(days=180 * (2 - index))
        HealthCheckRound.objects.filter(pk=health_round.pk).update(
            opened_at=opened,
            closes_on=(opened + datetime.timedelta(days=14)).date(),
            closed_at=opened + datetime.timedelta(days=14),
        )
