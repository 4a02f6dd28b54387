"""Defect 1 of the trust-boundary review: an organisation owns its membership.

Nobody outside an organisation can make a person its member or give someone a
role in its name; coordinators may only propose, the organisation decides."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from partnerships import permissions, services
from partnerships.models import Invitation, Membership, PartnershipRole

from ..factories import member

pytestmark = pytest.mark.django_db

ACCOUNT = {
    "first_name": "Mallory",
    "last_name": "Ruiz",
    "username": "mallory",
    "password1": "a sturdy passphrase 42",
    "password2": "a sturdy passphrase 42",
}


def invite(client, partnership, organisation, email, role="member"):
    return client.post(
        reverse("partnerships:invite", args=[partnership.pk]),
        {
            "organisation": organisation.pk,
            "new_organisation": "",
            "partner_role": "partner",
            "email": email,
            "role": role,
            "message": "",
        },
    )


def accept_url(invitation) -> str:
    return reverse("invitation_accept", args=[services.invitation_token(invitation)])


def link_in(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://testserver(/invitations/\S+/)", text).group(1)


def test_an_outsider_cannot_make_an_address_a_member_of_another_organisation(
    cast, client_for, client, smtp, django_capture_on_commit_callbacks
):
    """`outsider` invites an address "for Northside" into their own partnership
    and accepts it: the account must not become a Northside member."""
    with django_capture_on_commit_callbacks(execute=True):
        invite(
            client_for(cast.outsider),
            cast.lakeshore,
            cast.northside,
            "mallory@evil.example",
        )
    invitation = Invitation.objects.get(email="mallory@evil.example")
    assert not invitation.is_approved
    # No invitation e-mail reaches the proposed address; Northside's
    # administrator is asked instead.
    assert smtp.to("mallory@evil.example") == []
    [question] = smtp.to(cast.coordinator.email)
    assert "confirm" in question["Subject"]

    client.logout()
    response = client.post(accept_url(invitation), ACCOUNT)
    assert response.status_code == 410
    assert "not yet confirmed" in response.text
    assert not Membership.objects.filter(user__username="mallory").exists()
    assert not Membership.objects.filter(
        organisation=cast.northside, user__email="mallory@evil.example"
    ).exists()


def test_a_coordinator_cannot_become_another_partners_signatory_by_invitation(
    cast, client_for
):
    """`coordinator` invites their own address as Riverside's signatory, then
    accepts: they must not be able to sign for Riverside."""
    client = client_for(cast.coordinator)
    invite(client, cast.eastside, cast.riverside, cast.coordinator.email, "signatory")
    invitation = Invitation.objects.get(email=cast.coordinator.email)
    response = client.post(accept_url(invitation))
    assert response.status_code == 410
    permissions.forget(cast.coordinator)
    assert not Membership.objects.filter(
        user=cast.coordinator, organisation=cast.riverside
    ).exists()
    assert not permissions.can_sign(cast.coordinator, cast.eastside, cast.riverside)
    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(invitation=invitation, user=cast.coordinator)


def test_only_the_organisations_administrator_confirms_a_proposed_person(
    cast, client_for, client, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(
            client_for(cast.coordinator),
            cast.eastside,
            cast.riverside,
            "nurse@riverside.example",
            "contact",
        )
    invitation = Invitation.objects.get(email="nurse@riverside.example")
    approve = reverse(
        "partnerships:proposal_approve", args=[cast.riverside.pk, invitation.pk]
    )
    # A Riverside member who is not an administrator (refused: Wagtail sends
    # them back to the dashboard), the proposing coordinator and an outsider
    # (no such page for them) cannot confirm it.
    assert client_for(cast.partner).post(approve).status_code == 302
    assert client_for(cast.coordinator).post(approve).status_code == 404
    assert client_for(cast.outsider).post(approve).status_code == 404
    invitation.refresh_from_db()
    assert not invitation.is_approved

    page = client_for(cast.signatory).get(
        reverse("partnerships:organisation", args=[cast.riverside.pk])
    )
    assert "nurse@riverside.example" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.signatory).post(approve)
    assert response.status_code == 302
    [message] = smtp.to("nurse@riverside.example")
    client.logout()
    response = client.post(link_in(message), {**ACCOUNT, "username": "nurse"})
    assert response.status_code == 302
    nurse = Membership.objects.get(user__username="nurse")
    assert nurse.organisation == cast.riverside
    assert not nurse.is_admin
    assert PartnershipRole.objects.filter(user=nurse.user, role="contact").exists()


def test_the_first_contact_of_a_new_organisation_joins_in_one_step_as_its_admin(
    cast, client_for, client, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.coordinator).post(
            reverse("partnerships:invite", args=[cast.eastside.pk]),
            {
                "organisation": "",
                "new_organisation": "Southside Legal Aid",
                "partner_role": "partner",
                "email": "dana@southside.example",
                "role": "signatory",
            },
        )
    [message] = smtp.to("dana@southside.example")
    client.logout()
    client.post(link_in(message), {**ACCOUNT, "username": "dana"})
    dana = Membership.objects.get(user__username="dana")
    assert dana.is_admin
    assert dana.organisation.name == "Southside Legal Aid"


def test_founding_cannot_claim_an_organisation_that_already_has_people(cast):
    invitation = services.invitation_create(
        partnership=cast.lakeshore,
        organisation=cast.northside,
        email="mallory@evil.example",
        role="member",
        by=cast.outsider,
        founding=True,
    )
    assert not invitation.is_approved
    assert not invitation.founding


def test_an_administrator_adds_a_colleague_without_waiting(cast):
    invitation = services.invitation_create(
        partnership=cast.eastside,
        organisation=cast.northside,
        email="colleague@northside.example",
        role="member",
        by=cast.coordinator,
    )
    assert invitation.is_approved


def test_roles_go_only_to_people_who_act_for_the_organisation(cast):
    with pytest.raises(ValidationError, match="does not act for"):
        services.role_assign(
            participation=cast.eastside_riverside,
            user=cast.coordinator,
            role="signatory",
            by=cast.coordinator,
        )
    with pytest.raises(ValidationError, match="leadership viewers"):
        services.role_assign(
            participation=cast.eastside_lead,
            user=cast.leader,
            role="coordinator",
            by=cast.coordinator,
        )
    assert not PartnershipRole.objects.filter(user=cast.leader).exists()


def test_only_administrators_change_or_remove_members(cast, client_for):
    membership = Membership.objects.get(user=cast.partner)
    url = reverse(
        "partnerships:membership_change", args=[cast.riverside.pk, membership.pk]
    )
    assert client_for(cast.partner).post(url, {"action": "make_admin"}).status_code == (
        302
    )
    assert client_for(cast.coordinator).post(url, {"action": "remove"}).status_code == (
        404
    )
    assert Membership.objects.filter(pk=membership.pk, is_admin=False).exists()
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=membership, by=cast.coordinator)
    client_for(cast.signatory).post(url, {"action": "remove"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not PartnershipRole.objects.filter(user=cast.partner).exists()


def test_the_last_administrator_cannot_leave_the_organisation_without_one(cast):
    admin = Membership.objects.get(user=cast.signatory)
    with pytest.raises(ValidationError, match="at least one administrator"):
        services.membership_update(membership=admin, by=cast.signatory, is_admin=False)
    with pytest.raises(ValidationError, match="at least one administrator"):
        services.membership_remove(membership=admin, by=cast.signatory)
    second = member("manager", cast.riverside, admin=True)
    services.membership_update(membership=admin, by=second, is_admin=False)
    admin.refresh_from_db()
    assert not admin.is_admin


def test_a_leadership_viewer_made_so_loses_their_roles(cast):
    membership = Membership.objects.get(user=cast.signatory)
    member("manager", cast.riverside, admin=True)
    services.membership_update(
        membership=membership, by=cast.signatory, is_leadership=True
    )
    permissions.forget(cast.signatory)
    assert not permissions.can_sign(cast.signatory, cast.eastside, cast.riverside)
    assert not PartnershipRole.objects.filter(user=cast.signatory).exists()
