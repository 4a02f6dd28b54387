"""The MOU's checklist shows from the first draft, each item a link to the one
page where it is fixed, that page prefilled."""

from bs4 import BeautifulSoup
from django.urls import reverse

from partnerships.models import PartnershipRole


def _checklist(client, mou):
    soup = BeautifulSoup(client.get(mou.get_absolute_url()).content, "html.parser")
    return {
        a.get_text(" ", strip=True): a["href"]
        for a in soup.select("[data-checklist] a")
    }


def test_the_draft_lists_what_is_missing_with_links(cast, draft, client_for):
    # Eastside Housing has no signatory, and the roles section gives nobody a
    # commitment yet in the template's draft.
    PartnershipRole.objects.filter(
        participation__organisation=cast.housing_org, role="signatory"
    ).delete()
    client = client_for(cast.coordinator)
    items = _checklist(client, draft)
    signatory = items[f"Name a signatory for {cast.housing_org.name}."]
    participation = cast.eastside.participations.get(organisation=cast.housing_org)
    assert signatory == (
        reverse("partnerships:role_assign", args=[cast.eastside.pk, participation.pk])
        + "?role=signatory"
    )
    form = BeautifulSoup(client.get(signatory).content, "html.parser")
    assert form.select_one("select[name=role] option[selected]")["value"] == "signatory"
    roles = draft.sections.get(kind="roles")
    commitment = next(url for text, url in items.items() if "commitment" in text)
    assert commitment == reverse("mou:section_edit", args=[draft.pk, roles.pk])


def test_a_missing_section_links_to_a_new_one_of_that_kind(cast, draft, client_for):
    cast.eastside.shares_client_data = True
    cast.eastside.save()
    draft.sections.filter(kind="data_sharing").delete()
    client = client_for(cast.coordinator)
    url = next(url for text, url in _checklist(client, draft).items() if "Data" in text)
    assert url.endswith("?kind=data_sharing")
    form = BeautifulSoup(client.get(url).content, "html.parser")
    kind = form.select_one("select[name=kind] option[selected]")
    assert kind["value"] == "data_sharing"


def test_a_ready_text_says_so(cast, signing, client_for):
    page = client_for(cast.coordinator).get(signing.get_absolute_url()).text
    assert "Before signing can open" not in page
