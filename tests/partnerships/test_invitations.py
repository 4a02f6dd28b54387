import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from partnerships import permissions, services
from partnerships.models import Invitation, Membership, Organisation

pytestmark = pytest.mark.django_db


def invite(client, partnership, **overrides):
    data = {
        "organisation": "",
        "new_organisation": "Southside Legal Aid",
        "partner_role": "partner",
        "email": "Dana@SouthsideLegal.example",
        "role": "signatory",
        "message": "We would love you to join.",
        **overrides,
    }
    return client.post(reverse("partnerships:invite", args=[partnership.pk]), data)


def accept_link(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://testserver(/invitations/\S+/)", text).group(1)


def test_an_invitation_arrives_by_smtp_and_sets_up_the_new_partner(
    cast, client_for, smtp, django_capture_on_commit_callbacks, client
):
    coordinator = client_for(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(coordinator, cast.eastside)
    assert response.status_code == 302

    organisation = Organisation.objects.get(name="Southside Legal Aid")
    assert cast.eastside.participations.filter(organisation=organisation).exists()
    [message] = smtp.to("dana@southsidelegal.example")
    assert "Eastside Family Support Partnership" in message["Subject"]
    assert message["Reply-To"] == cast.coordinator.email
    assert message.get_body(preferencelist=("html",)) is not None
    assert "We would love you to join." in smtp.text(message)

    coordinator.logout()
    link = accept_link(message)
    page = client.get(link)
    assert "Southside Legal Aid" in page.text
    response = client.post(
        link,
        {
            "first_name": "Dana",
            "last_name": "Ruiz",
            "username": "dana",
            "password1": "a sturdy passphrase 42",
            "password2": "a sturdy passphrase 42",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == cast.eastside.get_absolute_url()
    dana = Membership.objects.get(organisation=organisation).user
    assert dana.email == "dana@southsidelegal.example"
    assert permissions.can_sign(dana, cast.eastside, organisation)
    assert client.get(response["Location"]).status_code == 200
    actions = set(
        ModelLogEntry.objects.filter(object_id=str(cast.eastside.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "partnerships.invite",
        "partnerships.add_partner",
        "partnerships.accept_invitation",
    } <= actions

    # The link works once.
    reused = client.get(link)
    assert reused.status_code == 410
    assert "already been used" in reused.text


def test_an_expired_link_says_to_ask_for_a_new_one(
    cast, client_for, smtp, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(cast.coordinator), cast.eastside)
    link = accept_link(smtp.messages[0])
    week_ago = timezone.now() - datetime.timedelta(days=7, seconds=1)
    Invitation.objects.update(created_at=week_ago, approved_at=week_ago)
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "expired" in response.text
    assert "coordinator to send a new one" in response.text
    response = client.post(
        link,
        {
            "first_name": "D",
            "last_name": "R",
            "username": "late",
            "password1": "a sturdy passphrase 42",
            "password2": "a sturdy passphrase 42",
        },
    )
    assert response.status_code == 410
    assert not Membership.objects.filter(user__username="late").exists()


def test_a_tampered_link_is_refused_with_advice(cast, client):
    response = client.get(reverse("invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 410
    assert "not valid" in response.text


def test_the_same_address_cannot_be_invited_twice_while_the_first_is_open(
    cast, client_for
):
    coordinator = client_for(cast.coordinator)
    invite(coordinator, cast.eastside)
    response = invite(
        coordinator,
        cast.eastside,
        new_organisation="",
        organisation=cast.riverside.pk,
        email="dana@southsidelegal.example",
    )
    assert response.status_code == 200
    assert "was already invited" in response.text
    assert Invitation.objects.count() == 1


def test_an_existing_organisation_typed_as_new_is_pointed_to_the_list(cast, client_for):
    response = invite(
        client_for(cast.coordinator),
        cast.eastside,
        new_organisation="riverside  health clinic",
    )
    assert response.status_code == 200
    assert "is already in the workspace. Choose it from the list" in response.text
    assert Invitation.objects.count() == 0


def test_an_invalid_email_loses_nothing_and_creates_nothing(cast, client_for):
    response = invite(client_for(cast.coordinator), cast.eastside, email="dana@")
    assert response.status_code == 200
    assert "Enter a valid email address" in response.text
    assert not Organisation.objects.filter(name="Southside Legal Aid").exists()


def test_partners_who_do_not_coordinate_cannot_invite(cast, client_for):
    response = invite(client_for(cast.partner), cast.eastside)
    assert response.status_code == 302
    assert Invitation.objects.count() == 0


def test_someone_with_an_account_accepts_after_logging_in(
    cast, client_for, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(
            client_for(cast.coordinator),
            cast.eastside,
            new_organisation="",
            organisation=cast.lakeshore_org.pk,
            email=cast.outsider.email,
            role="contact",
        )
        # Lakeshore's administrator (here the person themself) confirms.
        services.invitation_approve(
            invitation=Invitation.objects.get(), by=cast.outsider
        )
    [proposal, message] = smtp.to(cast.outsider.email)
    assert "confirm" in proposal["Subject"]
    link = accept_link(message)
    client = client_for(cast.outsider)
    page = client.get(link)
    assert "Accept and join" in page.text
    response = client.post(link)
    assert response.status_code == 302
    permissions.forget(cast.outsider)
    assert permissions.can_view(cast.outsider, cast.eastside)


def test_a_withdrawn_invitation_stops_working(
    cast, client_for, smtp, django_capture_on_commit_callbacks, client
):
    coordinator = client_for(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        invite(coordinator, cast.eastside)
    invitation = Invitation.objects.get()
    coordinator.post(
        reverse(
            "partnerships:invitation_revoke", args=[cast.eastside.pk, invitation.pk]
        )
    )
    coordinator.logout()
    response = client.get(accept_link(smtp.messages[0]))
    assert response.status_code == 410
    assert "withdrawn" in response.text
