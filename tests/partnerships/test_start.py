"""Starting a partnership in one step: its partner organisations and their
contacts are named on the same form, the creator becomes coordinator and, when
they say so, their organisation's signatory; a problem anywhere saves nothing."""

from django.urls import reverse

from partnerships.models import Invitation, Organisation, Partnership

BASE = {
    "name": "Westside Food Partnership",
    "purpose": "No family goes hungry.",
    "formality": 2,
    "timezone": "America/Chicago",
}


def _post(client, cast, **extra):
    return client.post(
        reverse("partnerships:add"), {"lead": cast.northside.pk, **BASE, **extra}
    )


def test_partners_and_their_contacts_are_invited_in_the_same_step(cast, client_for):
    response = _post(
        client_for(cast.coordinator),
        cast,
        coordinator_signs="on",
        partner_1=cast.riverside.pk,
        partner_1_email="Samuel@Riverside.example",
        partner_1_role="signatory",
        partner_2_new="Westside Pantry",
        partner_2_email="ana@pantry.example",
        partner_2_role="signatory",
    )
    assert response.status_code == 302, response.context["form"].errors
    partnership = Partnership.objects.get(name=BASE["name"])
    assert {p.organisation.name: p.role for p in partnership.participations.all()} == {
        "Northside Family Services": "lead",
        "Riverside Health Clinic": "partner",
        "Westside Pantry": "partner",
    }
    lead = partnership.participations.get(organisation=cast.northside)
    assert set(
        lead.people.filter(user=cast.coordinator).values_list("role", flat=True)
    ) == {"coordinator", "signatory"}
    invitations = {
        i.email: i for i in Invitation.objects.filter(partnership=partnership)
    }
    assert set(invitations) == {"samuel@riverside.example", "ana@pantry.example"}
    assert invitations["ana@pantry.example"].founding  # a new organisation's first
    assert invitations["samuel@riverside.example"].role == "signatory"


def test_without_saying_so_the_creator_is_not_a_signatory(cast, client_for):
    _post(client_for(cast.coordinator), cast)
    partnership = Partnership.objects.get(name=BASE["name"])
    lead = partnership.participations.get()
    assert list(lead.people.values_list("role", flat=True)) == ["coordinator"]


def test_a_half_named_partner_is_explained_and_nothing_is_saved(cast, client_for):
    organisations = Organisation.objects.count()
    cases = [
        ({"partner_1_email": "x@example.org"}, "Say which organisation x@example.org"),
        ({"partner_1": cast.riverside.pk}, "Give the e-mail of the person who will"),
        (
            {
                "partner_1": cast.riverside.pk,
                "partner_1_new": "Other",
                "partner_1_email": "a@b.org",
            },
            "not both",
        ),
        ({"partner_1": cast.northside.pk, "partner_1_email": "a@b.org"}, "already in"),
        (
            {"partner_1_new": "Westside Pantry", "partner_1_email": "not-an-address"},
            "Enter a valid email address",
        ),
    ]
    for extra, message in cases:
        response = _post(client_for(cast.coordinator), cast, **extra)
        assert response.status_code == 200, extra
        assert message in response.text, extra
    assert not Partnership.objects.filter(name=BASE["name"]).exists()
    assert Organisation.objects.count() == organisations
    assert not Invitation.objects.exists()
