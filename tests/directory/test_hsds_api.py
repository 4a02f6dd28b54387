"""The HSDS 3.0 API: anyone reads the published directory, in the standard's
page envelope and shapes (checked against its schemas), never an unpublished
service; a page costs the same few queries however large the directory."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from directory import services
from directory.models import DirectoryService
from partnerships.models import Organisation

from .hsds_package import SCHEMAS, _schemas, full_tables, package

pytestmark = pytest.mark.django_db


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / "compiled" / name).read_text())


def page_schema(item: dict) -> dict:
    """The OpenAPI's Page envelope with `contents` of the given items."""
    openapi = json.loads((SCHEMAS / "openapi.json").read_text())
    page = openapi["components"]["schemas"]["Page"]
    return {
        "type": "object",
        "required": [*page["properties"], "contents"],
        "properties": {
            **page["properties"],
            "contents": {"type": "array", "items": item},
        },
    }


def validate(data, against: dict) -> None:
    import jsonschema

    jsonschema.validate(data, against, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def directory(cast):
    _schemas()
    tables = full_tables(_schemas())
    tables["services"][1]["status"] = "inactive"
    services.directory_import(data=package(tables), by=cast.hub)
    DirectoryService.objects.create(
        organisation=cast.riverside,
        name="Walk-in clinic",
        description="Primary care",
        phone="555-0100",
        address="400 River Road",
        city="Springfield",
        state_province="MA",
        postal_code="01101",
        opens_at="08:00",
        closes_at="17:00",
    )
    DirectoryService.objects.create(
        organisation=cast.stranger_org, name="Draft pantry", published=False
    )
    return tables


def test_the_index_says_which_hsds_it_speaks(client):
    data = client.get(reverse("hsds_api:index")).json()
    assert data["version"] == "3.0"
    assert data["openapi_url"].endswith("openapi.json")


def test_services_come_a_page_at_a_time_published_only(directory, client):
    response = client.get(reverse("hsds_api:services"), {"per_page": 1})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    first = response.json()
    validate(first, page_schema(schema("service_list.json")))
    assert (first["total_items"], first["total_pages"], first["size"]) == (2, 2, 1)
    assert first["first_page"] and not first["last_page"]
    second = client.get(reverse("hsds_api:services"), {"per_page": 1, "page": 2}).json()
    assert second["last_page"]
    names = [s["name"] for s in first["contents"] + second["contents"]]
    imported = directory["services"][0]
    assert sorted(names) == sorted([imported["name"], "Walk-in clinic"])
    # What came in through HSDS goes out as it came, numbers as numbers.
    contents = first["contents"] + second["contents"]
    item = next(s for s in contents if s["name"] == imported["name"])
    assert item["alternate_name"] == imported["alternate_name"]
    assert item["minimum_age"] == int(imported["minimum_age"])
    assert item["organization"]["id"] == directory["organizations"][0]["id"]


def test_a_service_reads_in_full_and_an_unpublished_one_not_at_all(directory, client):
    walk_in = DirectoryService.objects.get(name="Walk-in clinic")
    data = client.get(reverse("hsds_api:service", args=[walk_in.uid])).json()
    validate(data, schema("service_with_definitions.json"))
    assert data["phones"][0]["number"] == "555-0100"
    for hidden in (
        directory["services"][1]["id"],
        str(DirectoryService.objects.get(name="Draft pantry").uid),
        "not-a-uuid",
    ):
        response = client.get(reverse("hsds_api:service", args=[hidden]))
        assert response.status_code == 404


def test_organisations_are_those_with_a_published_service(directory, client):
    data = client.get(reverse("hsds_api:organizations")).json()
    validate(data, page_schema(schema("organization_list.json")))
    names = {o["name"] for o in data["contents"]}
    assert names == {directory["organizations"][0]["name"], "Riverside Health Clinic"}
    imported = directory["organizations"][0]["id"]
    one = client.get(reverse("hsds_api:organization", args=[imported])).json()
    validate(one, schema("organization_list.json"))
    assert one["legal_status"] == directory["organizations"][0]["legal_status"]
    for hidden in (directory["organizations"][1]["id"], "nobody"):
        response = client.get(reverse("hsds_api:organization", args=[hidden]))
        assert response.status_code == 404
    assert not any(
        o["name"] == cast_name
        for o in data["contents"]
        for cast_name in ("Unrelated Food Bank", "Northside Family Services")
    )


def test_services_are_found_by_search_organisation_term_and_date(directory, client):
    url = reverse("hsds_api:services")
    found = client.get(url, {"q": "primary care"}).json()
    assert [s["name"] for s in found["contents"]] == ["Walk-in clinic"]
    riverside = client.get(reverse("hsds_api:organizations")).json()["contents"]
    riverside_id = next(
        o["id"] for o in riverside if o["name"] == "Riverside Health Clinic"
    )
    mine = client.get(url, {"organization_id": riverside_id}).json()
    assert [s["name"] for s in mine["contents"]] == ["Walk-in clinic"]
    term = directory["attributes"][0]["taxonomy_term_id"]
    filed = client.get(url, {"taxonomy_term_id": term}).json()
    assert [s["id"] for s in filed["contents"]] == [directory["services"][0]["id"]]
    later = client.get(url, {"modified_after": "2999-01-01T00:00:00Z"}).json()
    assert later["empty"] and later["contents"] == []
    for bad in ({"modified_after": "yesterday"}, {"page": "0"}, {"per_page": "x"}):
        response = client.get(url, bad)
        assert response.status_code == 400 and response.json()["error"]


def test_the_api_answers_reads_only(directory, client):
    response = client.post(reverse("hsds_api:services"), {})
    assert response.status_code == 405


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the scale test runs on PostgreSQL"
)
def test_ten_thousand_services_page_in_a_fixed_number_of_queries(
    cast, client, django_assert_max_num_queries
):
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Provider {n:02}") for n in range(50)
    )
    DirectoryService.objects.bulk_create(
        (
            DirectoryService(
                organisation=organisations[n % 50],
                name=f"Service {n:05}",
                description="Help",
                phone="555-0100",
            )
            for n in range(10_000)
        ),
        batch_size=2000,
    )
    url = reverse("hsds_api:services")
    for page in (1, 2, 50, 100):
        with django_assert_max_num_queries(5):
            data = client.get(url, {"page": page, "per_page": 100}).json()
        assert (data["total_items"], data["total_pages"]) == (10_000, 100)
        assert data["size"] == 100
        assert data["contents"][0]["name"] == f"Service {(page - 1) * 100:05}"
    assert data["last_page"]
    with django_assert_max_num_queries(5):
        data = client.get(url).json()
    assert data["size"] == 50
    with django_assert_max_num_queries(4):
        client.get(reverse("hsds_api:organizations"), {"per_page": 50})
