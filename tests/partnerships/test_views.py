import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from partnerships.models import Organisation, Participation, Partnership

from ..factories import OrganisationFactory, ParticipationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_a_partner_their_partnerships_and_nothing_else(cast, client_for):
    response = client_for(cast.partner).get(reverse("partnerships:index"))
    assert response.status_code == 200
    assert cast.eastside.name in response.text
    assert cast.lakeshore.name not in response.text


def test_the_list_searches_by_organisation_and_filters_by_status(cast, client_for):
    client = client_for(cast.housing)
    response = client.get(reverse("partnerships:index"), {"q": "lakeshore youth"})
    assert cast.lakeshore.name in response.text
    assert cast.eastside.name not in response.text
    response = client.get(reverse("partnerships:index"), {"status": "forming"})
    assert "No partnership matches your search" in response.text


def test_someone_in_no_partnership_gets_a_helpful_empty_list(cast, client_for):
    response = client_for(cast.stranger).get(reverse("partnerships:index"))
    assert "You are not in any partnership yet" in response.text


def test_the_overview_shows_partners_contacts_signatories_and_empty_sections(
    cast, client_for
):
    response = client_for(cast.partner).get(cast.eastside.get_absolute_url())
    assert response.status_code == 200
    for text in [
        "Northside Family Services",
        "Riverside Health Clinic",
        "Lead partner",
        cast.signatory.get_full_name(),
        "Logic model",
        "Health checks",
    ]:
        assert text in response.text
    # Old section links lead to the section's own page.
    section = client_for(cast.partner).get(
        reverse("partnerships:section", args=[cast.eastside.pk, "referrals"])
    )
    assert section["Location"] == reverse("referrals:index", args=[cast.eastside.pk])
    # ... and so do links below a section (sent in mail before it moved).
    deeper = client_for(cast.partner).get(
        f"/admin/partnerships/{cast.eastside.pk}/responsibilities/42/edit/"
    )
    assert deeper["Location"] == (
        reverse("accountability:responsibilities", args=[cast.eastside.pk]) + "42/edit/"
    )
    assert (
        client_for(cast.outsider)
        .get(f"/admin/partnerships/{cast.eastside.pk}/responsibilities/42/")
        .status_code
        == 404
    )


def test_an_outsider_gets_not_found_for_a_partnership_they_are_not_in(cast, client_for):
    client = client_for(cast.outsider)
    for name in ["detail", "partners", "history", "edit", "invite"]:
        response = client.get(reverse(f"partnerships:{name}", args=[cast.eastside.pk]))
        assert response.status_code == 404, name
        assert cast.eastside.name not in response.text


def test_a_coordinator_creates_a_partnership_and_becomes_its_coordinator(
    cast, client_for
):
    response = client_for(cast.coordinator).post(
        reverse("partnerships:add"),
        {
            "lead": cast.northside.pk,
            "name": "  Westside   Food Partnership ",
            "purpose": "No family goes hungry.",
            "formality": 2,
            "status": "forming",
            "start_date": "2027-01-01",
            "end_date": "2028-01-01",
            "timezone": "America/Chicago",
        },
    )
    partnership = Partnership.objects.get(name="Westside Food Partnership")
    assert response.status_code == 302
    assert response["Location"] == partnership.get_absolute_url()
    lead = partnership.participations.get()
    assert lead.organisation == cast.northside
    assert lead.role == Participation.Role.LEAD
    assert lead.people.filter(user=cast.coordinator, role="coordinator").exists()
    actions = set(
        ModelLogEntry.objects.filter(object_id=str(partnership.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"wagtail.create", "partnerships.add_partner"} <= actions


def test_a_partnership_cannot_be_led_by_someone_elses_organisation(cast, client_for):
    response = client_for(cast.coordinator).post(
        reverse("partnerships:add"),
        {
            "lead": cast.lakeshore_org.pk,
            "name": "Hijack",
            "purpose": "x",
            "formality": 2,
            "status": "forming",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Partnership.objects.filter(name="Hijack").exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"end_date": "2026-01-01"}, "The end date is before the start date"),
        ({"start_date": "31/02/2027"}, "Enter the start date as YYYY-MM-DD"),
        (
            {"name": "eastside family support partnership"},
            "A partnership with this name already exists",
        ),
        ({"timezone": "Mars/Olympus"}, "Select a valid choice"),
    ],
)
def test_bad_partnership_input_is_explained_and_nothing_is_saved(
    cast, client_for, change, message
):
    data = {
        "lead": cast.northside.pk,
        "name": "New partnership",
        "purpose": "Purpose",
        "formality": 3,
        "status": "forming",
        "start_date": "2027-01-01",
        "timezone": "UTC",
        **change,
    }
    before = Partnership.objects.count()
    response = client_for(cast.coordinator).post(reverse("partnerships:add"), data)
    assert response.status_code == 200
    assert message in response.text
    assert Partnership.objects.count() == before


def test_a_leadership_viewer_cannot_create_or_edit(cast, client_for):
    client = client_for(cast.leader)
    response = client.get(reverse("partnerships:add"))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    response = client.post(
        reverse("partnerships:edit", args=[cast.eastside.pk]), {"name": "Renamed"}
    )
    assert response.status_code == 302
    cast.eastside.refresh_from_db()
    assert cast.eastside.name == "Eastside Family Support Partnership"


def test_editing_records_what_changed_in_the_history(cast, client_for):
    client = client_for(cast.coordinator)
    response = client.post(
        reverse("partnerships:edit", args=[cast.eastside.pk]),
        {
            "name": cast.eastside.name,
            "purpose": "A sharper purpose.",
            "formality": 4,
            "status": "active",
            "timezone": "America/New_York",
        },
    )
    assert response.status_code == 302
    history = client.get(reverse("partnerships:history", args=[cast.eastside.pk]))
    assert "A sharper purpose." in history.text
    assert "purpose" in history.text


def test_partners_record_their_own_sustainability_commitments_only(cast, client_for):
    client = client_for(cast.partner)
    own = reverse(
        "partnerships:commitment_add",
        args=[cast.eastside.pk, cast.eastside_riverside.pk],
    )
    response = client.post(
        own, {"kind": "money", "description": "Interpreter budget", "amount": "5000"}
    )
    assert response.status_code == 302
    assert cast.eastside_riverside.commitments.filter(
        description="Interpreter budget"
    ).exists()
    other = reverse(
        "partnerships:commitment_add", args=[cast.eastside.pk, cast.eastside_lead.pk]
    )
    response = client.post(
        other, {"kind": "money", "description": "Not mine", "amount": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert not cast.eastside_lead.commitments.filter(description="Not mine").exists()


def test_a_negative_commitment_is_refused_with_a_message(cast, client_for):
    url = reverse(
        "partnerships:commitment_add",
        args=[cast.eastside.pk, cast.eastside_riverside.pk],
    )
    response = client_for(cast.partner).post(
        url, {"kind": "money", "description": "Refund", "amount": "-5"}
    )
    assert response.status_code == 200
    assert "Enter zero or a positive amount" in response.text


def test_the_last_coordinator_cannot_be_removed(cast, client_for):
    role = cast.eastside_lead.people.get(role="coordinator")
    client = client_for(cast.coordinator)
    response = client.post(
        reverse("partnerships:role_remove", args=[cast.eastside.pk, role.pk]),
        follow=True,
    )
    assert "needs at least one coordinator" in response.text
    assert cast.eastside_lead.people.filter(role="coordinator").exists()


def test_a_role_goes_only_to_someone_working_for_that_organisation(cast, client_for):
    url = reverse(
        "partnerships:role_assign", args=[cast.eastside.pk, cast.eastside_riverside.pk]
    )
    response = client_for(cast.coordinator).post(
        url, {"user": cast.outsider.pk, "role": "signatory"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not cast.eastside_riverside.people.filter(user=cast.outsider).exists()


def test_removing_a_partner_is_logged_and_the_lead_stays(cast, client_for):
    client = client_for(cast.coordinator)
    client.post(
        reverse(
            "partnerships:participation_remove",
            args=[cast.eastside.pk, cast.eastside_riverside.pk],
        )
    )
    assert not cast.eastside.participations.filter(organisation=cast.riverside).exists()
    response = client.post(
        reverse(
            "partnerships:participation_remove",
            args=[cast.eastside.pk, cast.eastside_lead.pk],
        ),
        follow=True,
    )
    assert "lead partner cannot be removed" in response.text
    assert ModelLogEntry.objects.filter(
        object_id=str(cast.eastside.pk), action="partnerships.remove_partner"
    ).exists()


@pytest.fixture
def many_partnerships(cast):
    """200 partnerships the housing coalition takes part in."""
    organisations = [OrganisationFactory() for _ in range(20)]
    for index in range(200):
        partnership = PartnershipFactory(name=f"Bulk partnership {index:03}")
        ParticipationFactory(
            partnership=partnership,
            organisation=organisations[index % 20],
            role=Participation.Role.LEAD,
        )
        ParticipationFactory(partnership=partnership, organisation=cast.housing_org)
    return organisations


def test_the_list_costs_the_same_queries_whatever_the_number_of_partnerships(
    cast, client_for, many_partnerships, django_assert_max_num_queries
):
    client = client_for(cast.housing)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("partnerships:index"))
    assert response.status_code == 200
    assert "Page 1 of 9" in response.text
    with django_assert_max_num_queries(14):
        client.get(reverse("partnerships:index"), {"p": 5, "q": "Bulk"})


def test_the_overview_and_dashboard_cost_a_bounded_number_of_queries(
    cast, client_for, many_partnerships, django_assert_max_num_queries
):
    client = client_for(cast.housing)
    for organisation in many_partnerships:
        ParticipationFactory(partnership=cast.eastside, organisation=organisation)
    # 17: the menu asks once whether the person may see the needs picture.
    with django_assert_max_num_queries(17):
        response = client.get(cast.eastside.get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(17):
        client.get(reverse("partnerships:partners", args=[cast.eastside.pk]))
    # The home page carries every capability's panel and the next steps (see
    # test_dashboard); the count depends on the number of panels, not the data.
    with django_assert_max_num_queries(48):
        dashboard = client.get(reverse("wagtailadmin_home"))
    assert "All 202 partnerships" in dashboard.text


def test_hub_staff_manage_organisations_in_the_admin(cast, client_for):
    client = client_for(cast.hub)
    response = client.get(reverse("organisations:index"))
    assert response.status_code == 200
    assert "Riverside Health Clinic" in response.text
    response = client.post(
        reverse("organisations:add"),
        {"name": "riverside health clinic", "kind": "health"},
    )
    assert response.status_code == 200
    assert "already exists" in response.text
    assert (
        Organisation.objects.filter(name__iexact="riverside health clinic").count() == 1
    )
