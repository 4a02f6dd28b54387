"""A referral protocol for the Eastside partnership, and referrals from
Northside (the coordinator acts for it) to Riverside (the partner acts for it),
walked to any status through the services as the parties would."""

import pytest

from referrals import services as referral_services

# How each status is reached from "requested", and who makes each move.
PATHS = {
    "requested": [],
    "accepted": ["accepted"],
    "rejected": ["rejected"],
    "in-progress": ["accepted", "in-progress"],
    "on-hold": ["accepted", "on-hold"],
    "completed": ["accepted", "completed"],
    "failed": ["accepted", "failed"],
    "cancelled": ["cancelled"],
    "entered-in-error": ["entered-in-error"],
}
SENDER_MOVES = {"cancelled", "entered-in-error"}


@pytest.fixture
def protocol(cast):
    return referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Families needing housing help.",
        steps="Ask consent, refer, follow up.",
        fields=[
            {"name": "need", "label": "Housing need", "type": "text", "required": True}
        ],
        consent_required=True,
        consent_text="The client agrees that Northside shares their need with "
        "Riverside; revocable any time.",
        acknowledge_days=2,
        outcome_days=30,
    )


@pytest.fixture
def referral_in(cast, protocol):
    """A new referral, moved to `status` by the side that makes each move."""
    made = []

    def make(status: str = "requested"):
        referral = referral_services.referral_create(
            partnership=cast.eastside,
            by=cast.coordinator,
            sender=cast.northside,
            receiver=cast.riverside,
            local_reference=f"N-{len(made) + 1}",
            initials="AB",
            birth_year=1990,
            details={"need": "eviction"},
            consent={"given": True, "by": "The client", "scope": "Need"},
        )
        for step in PATHS[status]:
            referral = referral_services.referral_move(
                referral=referral,
                by=cast.coordinator if step in SENDER_MOVES else cast.partner,
                status=step,
                reason="On the way there",
            )
        made.append(referral)
        return referral

    return make
