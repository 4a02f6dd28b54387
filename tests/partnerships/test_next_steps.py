"""“Your next steps” at the top of the home page: what waits for this person,
from every app, each linked to the page where it is done, never with client
details, and in a bounded number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accountability import services as accountability_services
from accountability.models import Practice
from mou import services as mou_services
from mou.default_template import ensure_default_template
from mou.models import MOU
from partnerships import next_steps, services
from referrals import services as referral_services

from ..mou.conftest import commit_each_party, sign_all

pytestmark = pytest.mark.django_db


def kinds(user):
    return [step.kind for step in next_steps.for_user(user)]


def home(client_for, user):
    page = client_for(user).get(reverse("wagtailadmin_home"))
    assert page.status_code == 200
    return page.text


def signing_mou(cast):
    draft = mou_services.mou_create_from_template(
        partnership=cast.eastside,
        template=ensure_default_template(),
        by=cast.coordinator,
    )
    commit_each_party(draft, cast.coordinator)
    mou_services.mou_submit_for_review(mou=draft, by=cast.coordinator)
    return mou_services.mou_open_signing(mou=draft, by=cast.coordinator)


def test_each_signatory_is_asked_to_sign_until_their_organisation_has(cast, client_for):
    mou = signing_mou(cast)
    sign_url = reverse("mou:sign", args=[mou.pk])
    page = home(client_for, cast.signatory)
    assert "Your next steps" in page
    assert f"for {cast.riverside.name}" in page and sign_url in page
    # Not the partner next to them, who does not sign.
    assert "mou.sign" not in kinds(cast.partner)
    assert "mou.sign" not in kinds(cast.leader)

    sign_all(cast, mou, skip=[cast.northside, cast.housing_org])
    assert "mou.sign" not in kinds(cast.signatory)
    assert "mou.sign" in kinds(cast.housing)


def test_a_waiting_referral_is_a_count_for_the_receiver_without_details(
    cast, client_for
):
    referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Families needing help.",
        steps="Ask consent, refer, follow up.",
        fields=[],
        acknowledge_days=2,
        outcome_days=30,
    )
    for number in (1, 2):
        referral_services.referral_create(
            partnership=cast.eastside,
            by=cast.coordinator,
            sender=cast.northside,
            receiver=cast.riverside,
            local_reference=f"N-{number}",
            initials="QZ",
            birth_year=1990,
            consent={"given": True, "by": "The client", "scope": "Name and need"},
        )
    page = home(client_for, cast.partner)
    assert "2 new referrals are waiting in your inbox" in page
    assert reverse("referrals:inbox") in page
    # As words: random tokens in the page (CSRF) may hold the letters "QZ".
    assert not re.search(r"\bQZ\b", page) and "N-1" not in page
    # The sender and a leadership viewer have nothing to do about it.
    assert "referral.inbox" not in kinds(cast.coordinator)
    assert "referral.inbox" not in kinds(cast.leader)


def test_responsibilities_due_or_overdue_for_the_persons_organisation(cast, client_for):
    today = datetime.date.today()
    late = accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Send the shared-family list",
        owner=cast.riverside,
        due_date=today - datetime.timedelta(days=3),
    )
    accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Far away",
        owner=cast.riverside,
        due_date=today + datetime.timedelta(days=60),
    )
    page = home(client_for, cast.partner)
    assert "Send the shared-family list" in page and "was due" in page
    assert late.get_absolute_url() in page
    assert "Overdue" in page
    assert "Far away" not in page
    # Northside's coordinator sees their own organisation's work, not Riverside's.
    assert "responsibility.due" not in kinds(cast.coordinator)
    assert "responsibility.due" not in kinds(cast.leader)
    accountability_services.responsibility_report(
        responsibility=late, by=cast.partner, status="done"
    )
    assert "responsibility.due" not in kinds(cast.partner)


def test_coordinators_are_asked_to_decide_proposals(cast, client_for):
    client_for(cast.partner).post(
        reverse("accountability:learning_add", args=[cast.eastside.pk]),
        {
            "title": "Fridays",
            "kind": "reflection",
            "practice": "communicate",
            "happened_on": "2026-10-01",
            "what_happened": "Lost referrals.",
            "what_we_learned": "Nobody on the line.",
            "proposal_kind": "mou",
            "proposal": "Name a Friday contact.",
        },
    )
    assert "learning.decide" in kinds(cast.coordinator)
    assert "learning.decide" not in kinds(cast.partner)


def test_an_open_health_check_asks_each_acting_member_once(cast):
    health_round = accountability_services.health_round_open(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Spring check",
        closes_on=datetime.date.today() + datetime.timedelta(days=5),
    )
    assert "health.answer" in kinds(cast.partner)
    assert "health.answer" not in kinds(cast.leader)
    assert "health.answer" not in kinds(cast.outsider)
    accountability_services.health_response_submit(
        health_round=health_round,
        by=cast.partner,
        organisation=cast.riverside,
        ratings=dict.fromkeys(Practice.values, (4, "")),
    )
    assert "health.answer" not in kinds(cast.partner)
    assert "health.answer" in kinds(cast.signatory)


def test_administrators_confirm_people_partners_propose(cast):
    services.invitation_create(
        partnership=cast.eastside,
        organisation=cast.riverside,
        email="new.person@riverside.example",
        role="member",
        by=cast.coordinator,
    )
    steps = next_steps.for_user(cast.signatory)  # Riverside's administrator
    assert any(
        s.kind == "partnerships.approve_person"
        and "new.person@riverside.example" in s.text
        for s in steps
    )
    assert "partnerships.approve_person" not in kinds(cast.partner)


def test_someone_with_nothing_to_do_is_told_so(cast, client_for):
    page = home(client_for, cast.stranger)
    assert "Nothing waits for you right now." in page


def test_the_steps_cost_the_same_queries_for_one_item_or_many(cast):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            next_steps.for_user(cast.partner)
        return len(captured)

    today = datetime.date.today()

    def add(count):
        for number in range(count):
            accountability_services.responsibility_create(
                partnership=cast.eastside,
                by=cast.coordinator,
                title=f"Item {number}",
                owner=cast.riverside,
                due_date=today,
            )

    add(1)
    queries()  # the policy's per-request caches, once
    few = queries()
    add(40)
    assert queries() == few
    assert len(next_steps.for_user(cast.partner)) <= next_steps.LIMIT
    assert MOU.objects.count() == 0


def test_invitees_see_the_next_meeting_of_their_series_on_its_clock(cast, client_for):
    from meetings import services as meeting_services

    start = datetime.datetime.now() + datetime.timedelta(days=3)
    series = meeting_services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Weekly huddle",
        kind="shared_review",
        rrule="FREQ=WEEKLY;COUNT=4",
        start_local=start.replace(hour=10, minute=0, second=0, microsecond=0),
        duration_minutes=30,
        tz="America/New_York",
        invitees=[(cast.partner, cast.partner.email, "Priya Nair")],
    )
    # Not before the invitations go out.
    assert "meeting.upcoming" not in kinds(cast.partner)
    meeting_services.series_publish(series=series, by=cast.coordinator)
    page = home(client_for, cast.partner)
    assert "Weekly huddle" in page and "10:00 (New York time)" in page
    assert "let the organiser know" in page
    # Only invitees; a called-off series is gone.
    assert "meeting.upcoming" not in kinds(cast.signatory)
    meeting_services.series_cancel(series=series, by=cast.coordinator)
    assert "meeting.upcoming" not in kinds(cast.partner)


def test_an_invited_person_is_asked_to_accept_and_the_link_works(cast, client_for):
    cast.outsider.email = "Outsider@Lakeshore.example"
    cast.outsider.save()
    invitation = services.invitation_create(
        partnership=cast.eastside,
        organisation=cast.lakeshore_org,
        email="outsider@lakeshore.example",
        role="member",
        by=cast.coordinator,
    )
    services.invitation_approve(invitation=invitation, by=cast.outsider)
    steps = {step.kind: step for step in next_steps.for_user(cast.outsider)}
    step = steps["partnerships.accept_invitation"]
    assert "Eastside Family Support Partnership" in step.text
    assert "Accept the invitation" in home(client_for, cast.outsider)
    # The link is the accept page, for this person, signed in.
    page = client_for(cast.outsider).get(step.url)
    assert page.status_code == 200
    assert "Eastside Family Support Partnership" in page.text
    # Nobody else is asked, and a used or withdrawn invitation asks no more.
    assert "partnerships.accept_invitation" not in kinds(cast.partner)
    invitation.revoked_at = invitation.created_at
    invitation.save()
    assert "partnerships.accept_invitation" not in kinds(cast.outsider)


def test_an_expired_invitation_is_not_offered(cast, settings):
    cast.outsider.email = "outsider@lakeshore.example"
    cast.outsider.save()
    invitation = services.invitation_create(
        partnership=cast.eastside,
        organisation=cast.lakeshore_org,
        email=cast.outsider.email,
        role="member",
        by=cast.coordinator,
    )
    services.invitation_approve(invitation=invitation, by=cast.outsider)
    assert "partnerships.accept_invitation" in kinds(cast.outsider)
    invitation.refresh_from_db()
    invitation.approved_at -= datetime.timedelta(
        seconds=settings.INVITATION_MAX_AGE + 60
    )
    invitation.save()
    assert "partnerships.accept_invitation" not in kinds(cast.outsider)


def test_partners_are_asked_to_review_an_mou_and_see_mentions(cast, client_for):
    draft = mou_services.mou_create_from_template(
        partnership=cast.eastside,
        template=ensure_default_template(),
        by=cast.coordinator,
    )
    assert "mou.review" not in kinds(cast.partner)  # a draft is still being written
    commit_each_party(draft, cast.coordinator)
    mou_services.mou_submit_for_review(mou=draft, by=cast.coordinator)
    step = {s.kind: s for s in next_steps.for_user(cast.partner)}["mou.review"]
    assert step.url == draft.get_absolute_url()
    # Leadership viewers follow, they do not review; outsiders see nothing.
    assert "mou.review" not in kinds(cast.leader)
    assert "mou.review" not in kinds(cast.outsider)

    clause = draft.sections.first().clauses.first()
    mou_services.comment_add(
        mou=draft, by=cast.coordinator, clause=clause, body="@partner can you check?"
    )
    mou_services.comment_add(
        mou=draft, by=cast.coordinator, clause=clause, body="@partnership words"
    )
    mentions = [s for s in next_steps.for_user(cast.partner) if s.kind == "mou.mention"]
    assert len(mentions) == 1  # "@partnership" is not "@partner"
    assert mentions[0].url == clause.get_absolute_url()
    assert "mou.mention" not in kinds(cast.outsider)
    assert "mou.mention" not in kinds(cast.coordinator)  # not their own comment
