"""Defect 8: every service checks the access policy itself, so no caller (a new
view, a command, an API) can skip it. Each call is made as someone who may not
make it, and must be refused with nothing changed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from accountability import services as accountability_services
from accountability.models import Responsibility
from partnerships import services
from partnerships.models import Participation, PartnershipRole, SustainabilityCommitment

pytestmark = pytest.mark.django_db


def attempts(cast):
    """(name, call) pairs: each an action a stranger, a third partner or a
    leadership viewer might try by calling the service directly."""
    eastside = cast.eastside
    riverside = cast.eastside_riverside
    commitment = riverside.commitments.first()
    role = PartnershipRole.objects.get(user=cast.signatory)
    return [
        (
            "rename the partnership",
            lambda by: services.partnership_update(
                partnership=eastside, by=by, name="Taken over"
            ),
        ),
        (
            "add an organisation",
            lambda by: services.participation_add(
                partnership=eastside,
                organisation=cast.stranger_org,
                role="partner",
                by=by,
            ),
        ),
        (
            "remove a partner",
            lambda by: services.participation_remove(participation=riverside, by=by),
        ),
        (
            "give a role",
            lambda by: services.role_assign(
                participation=riverside, user=cast.partner, role="signatory", by=by
            ),
        ),
        ("take away a role", lambda by: services.role_remove(assigned=role, by=by)),
        (
            "commit for Riverside",
            lambda by: services.commitment_add(
                participation=riverside,
                by=by,
                kind="money",
                description="A promise Riverside never made",
                amount=1000,
            ),
        ),
        (
            "withdraw Riverside's commitment",
            lambda by: services.commitment_remove(commitment=commitment, by=by),
        ),
        (
            "give Riverside a responsibility",
            lambda by: accountability_services.responsibility_create(
                partnership=eastside,
                by=by,
                title="Do our work",
                owner=cast.riverside,
            ),
        ),
        (
            "invite someone",
            lambda by: services.invitation_create(
                partnership=eastside,
                organisation=cast.northside,
                email="mallory@evil.example",
                role="member",
                by=by,
            ),
        ),
        (
            "open a health check",
            lambda by: accountability_services.health_round_open(
                partnership=eastside,
                by=by,
                title="Fake",
                closes_on=datetime.date.today() + datetime.timedelta(days=3),
            ),
        ),
    ]


def snapshot(cast):
    cast.eastside.refresh_from_db()
    return (
        cast.eastside.name,
        sorted(Participation.objects.values_list("pk", flat=True)),
        sorted(PartnershipRole.objects.values_list("pk", "role")),
        sorted(SustainabilityCommitment.objects.values_list("pk", flat=True)),
        Responsibility.objects.count(),
        ModelLogEntry.objects.count(),
    )


@pytest.mark.parametrize("who", ["stranger", "outsider", "leader", "partner"])
def test_services_called_directly_refuse_people_without_the_right(cast, who):
    by = getattr(cast, who)
    before = snapshot(cast)
    for name, attempt in attempts(cast):
        if who == "partner" and name in (
            "commit for Riverside",
            "withdraw Riverside's commitment",
            "give Riverside a responsibility",
        ):
            continue  # Riverside's own member may do these for Riverside.
        with pytest.raises(PermissionDenied):
            attempt(by)
        assert snapshot(cast) == before, f"{who} could {name}"


def test_a_leader_given_the_coordinator_role_cannot_act(cast, client_for):
    """A leadership viewer who holds a coordinator or signatory role (given
    before they became a viewer) still cannot rename the partnership or sign."""
    PartnershipRole.objects.create(
        participation=cast.eastside_lead, user=cast.leader, role="coordinator"
    )
    PartnershipRole.objects.create(
        participation=cast.eastside_lead, user=cast.leader, role="signatory"
    )
    response = client_for(cast.leader).post(
        f"/admin/partnerships/{cast.eastside.pk}/edit/",
        {"name": "Renamed by the leader", "purpose": "x", "formality": 3},
    )
    assert response.status_code == 302
    cast.eastside.refresh_from_db()
    assert cast.eastside.name == "Eastside Family Support Partnership"
    with pytest.raises(PermissionDenied):
        services.partnership_update(
            partnership=cast.eastside, by=cast.leader, name="Renamed"
        )
    from partnerships import permissions

    assert not permissions.can_sign(cast.leader, cast.eastside, cast.northside)
    assert not permissions.can_coordinate(cast.leader, cast.eastside)


def test_a_partner_cannot_reassign_an_mou_commitment_or_move_its_date(cast, client_for):
    commitment = Responsibility.objects.create(
        partnership=cast.eastside,
        title="Offer a nurse visit within 5 days",
        owner=cast.riverside,
        due_date=datetime.date(2027, 3, 31),
        source=Responsibility.Source.MOU_CLAUSE,
    )
    with pytest.raises(PermissionDenied, match="amendment"):
        accountability_services.responsibility_edit(
            responsibility=commitment,
            by=cast.partner,
            owner=cast.northside,
            due_date=datetime.date(2030, 1, 1),
        )
    with pytest.raises(PermissionDenied, match="amendment"):
        accountability_services.responsibility_edit(
            responsibility=commitment,
            by=cast.coordinator,
            due_date=datetime.date(2030, 1, 1),
        )
    # Through the page the terms are shown but cannot be changed.
    client_for(cast.partner).post(
        commitment.get_absolute_url() + "edit/",
        {
            "title": "Nothing",
            "owner": cast.northside.pk,
            "due_date": "2030-01-01",
            "details": "",
            "cadence": "",
        },
    )
    commitment.refresh_from_db()
    assert commitment.owner == cast.riverside
    assert commitment.due_date == datetime.date(2027, 3, 31)
    assert commitment.title == "Offer a nurse visit within 5 days"


def test_only_coordinators_reassign_a_responsibility_the_owner_reports_on_it(cast):
    task = accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.partner,
        title="Share the intake form",
        owner=cast.riverside,
        due_date=datetime.date(2027, 1, 15),
    )
    with pytest.raises(PermissionDenied, match="coordinators"):
        accountability_services.responsibility_edit(
            responsibility=task, by=cast.partner, owner=cast.northside
        )
    # The owner still chooses who carries it and reports progress.
    accountability_services.responsibility_edit(
        responsibility=task, by=cast.partner, owner_person=cast.signatory
    )
    accountability_services.responsibility_report(
        responsibility=task, by=cast.partner, status="in_progress"
    )
    accountability_services.responsibility_edit(
        responsibility=task,
        by=cast.coordinator,
        owner=cast.northside,
        owner_person=None,
    )
    task.refresh_from_db()
    assert task.owner == cast.northside


def test_nobody_but_hub_staff_reports_on_a_closed_partnerships_work(cast):
    """A closed partnership is a record: its owner organisation and its
    coordinators no longer change what was done."""
    task = accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.partner,
        title="Share the intake form",
        owner=cast.riverside,
    )
    cast.eastside.status = cast.eastside.Status.CLOSED
    cast.eastside.save()
    task.partnership.refresh_from_db()
    for person in (cast.partner, cast.coordinator):
        with pytest.raises(PermissionDenied):
            accountability_services.responsibility_report(
                responsibility=task, by=person, status="done"
            )
    task.refresh_from_db()
    assert task.status == "not_started"
    accountability_services.responsibility_report(
        responsibility=task, by=cast.hub, status="done"
    )
