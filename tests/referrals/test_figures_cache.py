"""Referral figures (the dashboard panel and the metrics page) come from a cache
(accountability.figure_cache): after any sequence of changes, through any write
path, each person sees exactly the suppressed figures computed from scratch for
them, never another organisation's; a referral that becomes late shows as late
without any write."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerships import permissions
from partnerships.models import Membership
from referrals import figures, metrics
from referrals.models import Referral, ReferralProtocol

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="PostgreSQL changes the token at commit; a test never commits",
    ),
]

STATUSES = list(Referral.Status.values)
OPS = st.one_of(
    st.tuples(
        st.just("create"),
        st.integers(0, 11),  # how many
        st.integers(0, 2),  # pair
        st.integers(0, 80),  # days ago
        st.sampled_from(STATUSES),
        st.booleans(),  # loop closed
    ),
    st.tuples(st.just("status"), st.integers(0, 99), st.sampled_from(STATUSES)),
    st.tuples(st.just("close"), st.integers(0, 99)),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(st.just("join"), st.booleans()),
    st.tuples(st.just("deadline"), st.integers(1, 60)),
)


def pairs(cast):
    return [
        (cast.northside, cast.riverside),
        (cast.riverside, cast.northside),
        (cast.housing_org, cast.riverside),
    ]


def apply(op, cast):
    kind, *args = op
    existing = list(Referral.objects.order_by("pk"))
    pick = existing[args[0] % len(existing)] if existing and args else None
    now = timezone.now()
    if kind == "create":
        sender, receiver = pairs(cast)[args[1]]
        Referral.objects.bulk_create(
            Referral(
                partnership=cast.eastside,
                sender=sender,
                receiver=receiver,
                local_reference=f"R{n}",
                initials="AB",
                birth_year=1980 + n,
                status=args[3],
                requested_at=now - datetime.timedelta(days=args[2], hours=n),
                loop_closed_at=now if args[4] else None,
                language=["English", "Spanish"][n % 2],
            )
            for n in range(args[0])
        )
    elif kind == "status" and pick:
        Referral.objects.filter(pk=pick.pk).update(status=args[1])
    elif kind == "close" and pick:
        pick.loop_closed_at = now
        pick.save()
    elif kind == "delete" and pick:
        pick.delete()
    elif kind == "join":
        if args[0]:
            Membership.objects.get_or_create(
                user=cast.partner, organisation=cast.northside
            )
        else:
            Membership.objects.filter(
                user=cast.partner, organisation=cast.northside
            ).delete()
    elif kind == "deadline":
        ReferralProtocol.objects.update_or_create(
            partnership=cast.eastside,
            defaults={"criteria": "x", "steps": "y", "outcome_days": args[0]},
        )


def metrics_of(user, partnership, cached: bool):
    referrals = permissions.referrals_counted_for(user).filter(partnership=partnership)
    if cached:
        return (
            metrics.summary(referrals, acknowledge_days=2, outcome_days=30),
            metrics.breakdown(referrals, "language"),
        )
    return (
        metrics._summary(referrals, acknowledge_days=2, outcome_days=30),
        metrics._breakdown(referrals, "language"),
    )


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(OPS, min_size=1, max_size=6))
def test_cached_referral_figures_equal_the_figures_from_scratch(cast, ops):
    viewers = [cast.coordinator, cast.partner, cast.housing, cast.hub, cast.outsider]
    for user in viewers:
        figures.referral_figures(user)
        metrics_of(user, cast.eastside, cached=True)
    for op in ops:
        apply(op, cast)
        for user in viewers:
            permissions.forget(user)
            assert figures.referral_figures(user) == figures._figures(user), op
            assert metrics_of(user, cast.eastside, True) == metrics_of(
                user, cast.eastside, False
            ), op


def test_eleven_referrals_turn_late_at_their_deadline_without_a_write(cast):
    now = timezone.now()
    Referral.objects.bulk_create(
        Referral(
            partnership=cast.eastside,
            sender=cast.northside,
            receiver=cast.riverside,
            local_reference=f"L{n}",
            initials="AB",
            birth_year=1980,
            status="accepted",
            requested_at=now
            - datetime.timedelta(days=30)
            + datetime.timedelta(hours=1),
        )
        for n in range(11)
    )
    row = figures.referral_figures(cast.coordinator)["rows"][0]
    assert row["late"].shown == 0
    later = now + datetime.timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        row = figures.referral_figures(cast.coordinator)["rows"][0]
    assert row["late"].shown == 11


def test_the_metrics_of_one_organisation_are_never_served_to_another(cast):
    Referral.objects.bulk_create(
        Referral(
            partnership=cast.eastside,
            sender=cast.northside,
            receiver=cast.riverside,
            local_reference=f"M{n}",
            initials="AB",
            birth_year=1980,
            status="completed",
        )
        for n in range(12)
    )
    assert metrics_of(cast.coordinator, cast.eastside, True)[0].made.shown == 12
    # Housing sent or received none of them: its figures are its own (none).
    assert metrics_of(cast.housing, cast.eastside, True)[0].made.shown == 0
