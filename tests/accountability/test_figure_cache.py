"""The dashboard figures come from a cache (accountability.figure_cache): after
any sequence of changes, made through any write path, every person sees
exactly the figures computed from scratch, and only their own."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountability import dashboard, figure_cache
from accountability.models import (
    LearningEntry,
    Responsibility,
    ResponsibilityUpdate,
)
from accountability.views.dashboard import _context, dashboard_context
from partnerships import permissions
from partnerships.models import Membership, Participation

from ..factories import ParticipationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL changes the token at commit; a test never commits",
)

STATUSES = Responsibility.Status.values
OPS = st.one_of(
    st.tuples(
        st.just("create"),
        st.integers(0, 2),  # partnership
        st.integers(0, 3),  # owner among its participants
        st.integers(-120, 20),  # due, days from today
        st.sampled_from(STATUSES),
    ),
    st.tuples(st.just("bulk"), st.integers(0, 2), st.integers(1, 4)),
    st.tuples(st.just("status"), st.integers(0, 50), st.sampled_from(STATUSES)),
    st.tuples(st.just("due"), st.integers(0, 50), st.integers(-120, 20)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("done"), st.integers(0, 50)),
    st.tuples(st.just("rename"), st.integers(0, 3)),
    st.tuples(st.just("leave"), st.integers(0, 2)),
    st.tuples(st.just("join"), st.integers(0, 3)),
    st.tuples(st.just("proposal"), st.integers(0, 2)),
)


def shown(context: dict) -> tuple:
    """What a person sees of the dashboard figures."""
    attention = context["attention"]
    return (
        [
            (f["figure"].key, f["figure"].rows, f["figure"].summary, str(f["chart"]))
            for f in context["figures"]
        ],
        [
            [item.pk for item in getattr(attention, name)]
            for name in ("overdue", "stuck", "proposals", "health_rounds", "ending")
        ],
    )


def apply(op, cast, partnerships, today):
    kind, *args = op
    existing = list(Responsibility.objects.order_by("pk"))
    pick = existing[args[0] % len(existing)] if existing and args else None
    owners = (
        list(
            partnerships[args[0]].participations.values_list("organisation", flat=True)
        )
        if kind in ("create", "bulk")
        else []
    )
    if kind in ("create", "bulk") and not owners:
        return  # every organisation left that partnership
    if kind == "create":
        partnership = partnerships[args[0]]
        Responsibility.objects.create(
            partnership=partnership,
            owner_id=owners[args[1] % len(owners)],
            title="Job",
            due_date=today + datetime.timedelta(days=args[2]),
            status=args[3],
        )
    elif kind == "bulk":
        Responsibility.objects.bulk_create(
            Responsibility(
                partnership=partnerships[args[0]],
                owner_id=owners[0],
                title=f"Bulk {n}",
                due_date=today - datetime.timedelta(days=n * 7),
                status=STATUSES[n % len(STATUSES)],
            )
            for n in range(args[1])
        )
    elif kind == "status" and pick:
        Responsibility.objects.filter(pk=pick.pk).update(status=args[1])
    elif kind == "due" and pick:
        pick.due_date = today + datetime.timedelta(days=args[1])
        pick.save()
    elif kind == "delete" and pick:
        pick.delete()
    elif kind == "done" and pick:
        ResponsibilityUpdate.objects.create(
            responsibility=pick,
            status_from=pick.status,
            status_to=Responsibility.Status.DONE,
            due_date=pick.due_date,
        )
    elif kind == "rename":
        org = [cast.northside, cast.riverside, cast.housing_org, cast.lakeshore_org]
        org[args[0]].name = f"Renamed {org[args[0]].pk}-{timezone.now().timestamp()}"
        org[args[0]].save()
    elif kind == "leave":
        Participation.objects.filter(
            partnership=partnerships[args[0]], organisation=cast.housing_org
        ).delete()
    elif kind == "join":
        org = [cast.northside, cast.riverside, cast.lakeshore_org, cast.stranger_org]
        Membership.objects.get_or_create(user=cast.housing, organisation=org[args[0]])
    elif kind == "proposal":
        LearningEntry.objects.create(
            partnership=partnerships[args[0]],
            title="Try something",
            what_happened="x",
            what_we_learned="y",
            proposal_kind="mou",
            proposal="Change it.",
            proposal_status=LearningEntry.ProposalStatus.OPEN,
        )


@sqlite_only
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(OPS, min_size=1, max_size=8))
def test_cached_dashboard_figures_equal_the_figures_from_scratch(cast, ops):
    today = timezone.localdate()
    third = PartnershipFactory()
    ParticipationFactory(partnership=third, organisation=cast.housing_org)
    partnerships = [cast.eastside, cast.lakeshore, third]
    viewers = [cast.housing, cast.leader, cast.hub, cast.outsider, cast.stranger]
    for user in viewers:
        dashboard_context(user)  # fill the cache before the changes
    for op in ops:
        apply(op, cast, partnerships, today)
        for user in viewers:
            permissions.forget(user)
            assert shown(dashboard_context(user)) == shown(_context(user)), op


@sqlite_only
def test_a_write_replaces_the_token_and_a_rollback_never_brings_an_old_one_back(
    cast,
):
    from django.db import transaction

    before = figure_cache.token()
    with pytest.raises(RuntimeError), transaction.atomic():
        Responsibility.objects.create(
            partnership=cast.eastside, owner=cast.northside, title="Undone"
        )
        undone = figure_cache.token()
        raise RuntimeError
    assert undone != before
    assert figure_cache.token() == before
    Responsibility.objects.create(
        partnership=cast.eastside, owner=cast.northside, title="Kept"
    )
    assert figure_cache.token() not in (before, undone)


def test_each_person_is_cached_apart(cast):
    Responsibility.objects.create(
        partnership=cast.eastside,
        owner=cast.northside,
        title="Late",
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    assert dashboard_context(cast.housing)["figures"][0]["figure"].rows == [
        ["Northside Family Services", 1]
    ]
    # The outsider's organisation is not in Eastside: nothing of it, even
    # straight after another person's figures were cached.
    assert dashboard_context(cast.outsider)["figures"][0]["figure"].rows == []


def test_the_dashboard_reads_three_queries_of_figures(cast, django_assert_num_queries):
    today = timezone.localdate()
    with django_assert_num_queries(3):
        dashboard.figures(cast.housing, today)


@sqlite_only
def test_a_second_look_at_the_leadership_dashboard_reads_no_history(cast, client_for):
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    Responsibility.objects.create(
        partnership=cast.eastside, owner=cast.northside, title="Late", due_date=None
    )
    client = client_for(cast.coordinator)
    url = reverse("accountability:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert "Overdue responsibilities by organisation" in page.text
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table in (
        "accountability_responsibility",
        "accountability_responsibilityupdate",
        "referrals_referral",
        "logicmodels_indicator",
    ):
        assert f'"{table}"' not in read, table
