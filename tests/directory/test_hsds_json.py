"""HSDS 3.0 JSON comes in as well as goes out: what another directory publishes
as services with nested objects is imported like a tabular package, all or
nothing, every problem listed."""

import json
import uuid

import pytest
from django.urls import reverse

from directory import hsds, selectors, services
from directory.models import DirectoryService, HSDSRecord
from partnerships.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(cast):
    return DirectoryService.objects.create(
        organisation=cast.riverside,
        name="Walk-in clinic",
        description="Primary care, same day",
        languages="English, Spanish",
        phone="555-0100",
        address="400 River Road",
        city="Springfield",
        state_province="MA",
        postal_code="01101",
        required_documents="Photo ID\nProof of address",
        opens_at="08:00",
        closes_at="17:00",
        last_verified="2026-06-01",
    )


def test_the_public_json_imports_back_into_an_empty_directory(cast, published, client):
    document = client.get(reverse("directory_json")).content
    uid = published.uid
    DirectoryService.objects.all().delete()

    assert services.directory_import(data=document, by=cast.hub) == 1
    service = DirectoryService.objects.get(uid=uid)
    assert (service.name, service.phone, service.languages) == (
        "Walk-in clinic",
        "555-0100",
        "English, Spanish",
    )
    assert service.required_documents == "Photo ID\nProof of address"
    assert (service.address, service.city, str(service.opens_at)) == (
        "400 River Road",
        "Springfield",
        "08:00:00",
    )
    assert service.organisation == cast.riverside
    # And it goes out again as a whole, valid package.
    everything = [service]
    tables = hsds.read_package(
        hsds.data_package(everything, selectors.records_for(everything))
    )
    assert hsds.check_tables(tables) == []
    assert [row["id"] for row in tables["services"]] == [str(uid)]


def test_an_api_page_is_read_too(cast, published, client):
    service = client.get(reverse("directory_json")).json()[0]
    page = {"total_items": 1, "contents": [service]}
    DirectoryService.objects.all().delete()
    assert services.directory_import(data=json.dumps(page).encode(), by=cast.hub) == 1


def test_bad_json_is_refused_with_every_problem_and_nothing_stored(cast):
    nobody = str(uuid.uuid4())
    document = [
        {
            "id": str(uuid.uuid4()),
            "name": "Pantry",
            "status": "active",
            "organization_id": nobody,
            "minimum_age": "eighteen",
            "colour": "red",
            "phones": [{"id": "P-1", "number": "555"}],
        },
        {"id": str(uuid.uuid4()), "status": "sometimes"},
    ]
    counts = (Organisation.objects.count(), HSDSRecord.objects.count())
    with pytest.raises(hsds.HSDSInvalid) as invalid:
        services.directory_import(data=json.dumps(document).encode(), by=cast.hub)
    problems = "\n".join(invalid.value.problems)
    for expected in (
        "service[0]: colour is not a field of an HSDS service",
        "services.csv row 2: minimum_age: “eighteen” is not a number",
        f"services.csv row 2: organization_id “{nobody}” matches no row",
        "phones.csv row 2: id: “P-1” is not a UUID",
        "services.csv row 3: name is empty",
        "services.csv row 3: status: “sometimes” is not one of",
        "services.csv row 3: organization_id is empty",
    ):
        assert expected in problems, expected
    assert not DirectoryService.objects.exists()
    assert (Organisation.objects.count(), HSDSRecord.objects.count()) == counts
    for broken in (b"[{", "[]".encode("utf-16")):
        with pytest.raises(hsds.HSDSInvalid):
            services.directory_import(data=broken, by=cast.hub)
