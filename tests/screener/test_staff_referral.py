"""A staff-assisted screen becomes a referral under the partnership's protocol
in one step: consent as the protocol requires, only the protocol's fields
travel, and only the two organisations see it."""

import pytest
from django.urls import reverse

from partnerships import permissions
from referrals import services as referral_services
from referrals.models import Referral

from ..factories import DirectoryServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def protocol(cast):
    return referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Families with a need another partner serves.",
        steps="Ask, record consent, send.",
        fields=[
            {
                "name": "need",
                "label": "Main need",
                "type": "choice",
                "required": True,
                "choices": ["housing", "primary care", "family support"],
            },
            {"name": "best_time", "label": "Best time to call", "type": "text"},
        ],
        collect_demographics=True,
        consent_required=True,
        consent_text="I agree that {sender} shares my need with {receiver}.",
    )


@pytest.fixture
def shelter(cast):
    return DirectoryServiceFactory(
        organisation=cast.housing_org, name="Emergency housing", category="housing"
    )


def _screen(client):
    response = client.post(
        reverse("screening:assist"),
        {"zip": "01101", "age": "34", "housing": "yes", "income": "21000"},
    )
    assert response.status_code == 302, response.content
    return response["Location"]


def test_a_staff_screen_becomes_a_referral_with_consent_seen_by_two_organisations(
    cast, questionnaire, protocol, shelter, client_for
):
    client = client_for(cast.coordinator)
    results = client.get(_screen(client))
    assert "Emergency housing" in results.text
    link = results.context["refer_links"][0]
    assert link["organisation_id"] == cast.housing_org.pk
    form = client.get(link["url"])
    assert "I agree that Northside Family Services shares my need with Eastside" in (
        form.text
    )
    assert form.context["fields"][0]["value"] == "housing"  # prefilled from the screen
    assert form.context["birth_year"] > 1980
    post = {
        "r": form.context["token"],
        "partnership": cast.eastside.pk,
        "receiver": cast.housing_org.pk,
        "local_reference": "NS-41",
        "initials": "ab",
        "birth_year": "1992",
        "f_need": "housing",
        "f_best_time": "mornings",
    }
    # The protocol requires consent: without it, nothing is sent.
    refused = client.post(reverse("screening:refer"), post)
    assert refused.status_code == 400
    assert "requires the client&#x27;s consent" in refused.text
    assert not Referral.objects.exists()
    done = client.post(
        reverse("screening:refer"),
        {**post, "consent_given": "yes", "consent_by": "The client, in person"},
    )
    referral = Referral.objects.get()
    assert done["Location"] == referral.get_absolute_url()
    assert (referral.sender, referral.receiver) == (cast.northside, cast.housing_org)
    assert referral.consent_given and referral.consent_by == "The client, in person"
    # Only the protocol's fields travel: no income, age or other answers.
    assert referral.details == {"need": "housing", "best_time": "mornings"}
    assert referral.zip_code == "01101"
    # Visible to the two organisations only.
    for who, sees in [
        (cast.coordinator, True),
        (cast.housing, True),
        (cast.partner, False),  # Riverside: in the partnership, not a party
        (cast.outsider, False),
    ]:
        visible = permissions.referrals_visible_to(who).filter(pk=referral.pk)
        assert visible.exists() is sees, who
        page = client_for(who).get(referral.get_absolute_url())
        assert (page.status_code == 200) is sees, who


def test_people_outside_the_partnership_cannot_refer_under_it(
    cast, questionnaire, protocol, shelter, client_for
):
    client = client_for(cast.outsider)
    results = client.get(_screen(client))
    assert results.context["refer_links"] == []
    token = results.context["request"].GET["r"]
    response = client.get(
        reverse("screening:refer"),
        {"r": token, "partnership": cast.eastside.pk, "receiver": cast.housing_org.pk},
    )
    assert response.status_code == 404
    # Leadership viewers follow figures; they do not screen clients.
    # (Wagtail answers a refusal in the admin with a redirect to the dashboard.)
    refused = client_for(cast.leader).get(reverse("screening:assist"))
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")


def test_a_bad_year_of_birth_gets_a_clear_message_and_sends_nothing(
    cast, questionnaire, protocol, shelter, client_for
):
    client = client_for(cast.coordinator)
    results = client.get(_screen(client))
    link = results.context["refer_links"][0]
    form = client.get(link["url"])
    response = client.post(
        reverse("screening:refer"),
        {
            "r": form.context["token"],
            "partnership": cast.eastside.pk,
            "receiver": cast.housing_org.pk,
            "birth_year": "19x2",
            "consent_given": "yes",
            "consent_by": "client",
        },
    )
    assert response.status_code == 400
    assert "year of birth" in response.text
    assert not Referral.objects.exists()
