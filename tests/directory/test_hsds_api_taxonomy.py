"""The HSDS API's taxonomy routes (/taxonomies, /taxonomy_terms, each by id)
and the services filter by taxonomy, in the standard's envelope and shapes."""

import json

import pytest
from django.urls import reverse

from .hsds_package import SCHEMAS
from .test_hsds_api import directory, page_schema, validate  # noqa: F401

pytestmark = pytest.mark.django_db


def shape(name: str) -> dict:
    """The HSDS object schema, without the nested objects the API leaves out
    of a plain listing (metadata, taxonomy_detail)."""
    schema = json.loads((SCHEMAS / name).read_text())
    for nested in ("metadata", "taxonomy_detail"):
        schema["properties"].pop(nested, None)
    return schema


def test_taxonomies_and_terms_read_in_pages_and_one_by_one(directory, client):  # noqa: F811
    taxonomies = client.get(reverse("hsds_api:taxonomies")).json()
    validate(taxonomies, page_schema(shape("taxonomy.json")))
    assert taxonomies["total_items"] == 2
    first = directory["taxonomies"][0]
    one = client.get(reverse("hsds_api:taxonomy", args=[first["id"]])).json()
    validate(one, shape("taxonomy.json"))
    assert one["name"] == first["name"]
    terms = client.get(reverse("hsds_api:taxonomy_terms")).json()
    validate(terms, page_schema(shape("taxonomy_term.json")))
    assert terms["total_items"] == 2
    term = directory["taxonomy_terms"][1]
    one = client.get(reverse("hsds_api:taxonomy_term", args=[term["id"]])).json()
    validate(one, shape("taxonomy_term.json"))
    for name in ("taxonomy", "taxonomy_term"):
        assert client.get(reverse(f"hsds_api:{name}", args=["nope"])).status_code == 404


def test_terms_narrow_by_taxonomy_parent_and_top_only(directory, client):  # noqa: F811
    url = reverse("hsds_api:taxonomy_terms")
    top = client.get(url, {"top_only": "true"}).json()["contents"]
    assert [t["id"] for t in top] == [directory["taxonomy_terms"][0]["id"]]
    child = directory["taxonomy_terms"][1]
    under = client.get(url, {"parent_id": child["parent_id"]}).json()["contents"]
    assert [t["id"] for t in under] == [child["id"]]
    of = client.get(url, {"taxonomy_id": child["taxonomy_id"]}).json()["contents"]
    assert child["id"] in [t["id"] for t in of]
    assert client.get(url, {"taxonomy_id": "nothing"}).json()["empty"]
    named = client.get(url, {"search": child["name"]}).json()["contents"]
    assert child["id"] in [t["id"] for t in named]
    assert client.get(url, {"top_only": "maybe"}).status_code == 400


def test_services_filter_by_any_term_of_a_taxonomy(directory, client):  # noqa: F811
    attribute = directory["attributes"][0]
    term = next(
        t
        for t in directory["taxonomy_terms"]
        if t["id"] == attribute["taxonomy_term_id"]
    )
    url = reverse("hsds_api:services")
    filed = client.get(url, {"taxonomy_id": term["taxonomy_id"]}).json()
    assert directory["services"][0]["id"] in [s["id"] for s in filed["contents"]]
    assert client.get(url, {"taxonomy_id": "nothing"}).json()["empty"]
