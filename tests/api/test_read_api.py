"""The read API: partnerships and what hangs off them, for the token's
organisation through the one access policy, a page at a time in bounded
queries, filtered by modified-since, described by a valid OpenAPI document."""

import datetime

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone
from openapi_spec_validator import validate

from accountability import services as accountability_services
from api.resources import RESOURCES
from logicmodels import services as model_services
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    PartnershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace(cast):
    """Eastside with a responsibility and a logic model with a measured
    indicator."""
    accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Care navigator rota",
        owner=cast.riverside,
        due_date=datetime.date(2026, 1, 1),
    )
    model = model_services.model_create(
        partnership=cast.eastside, by=cast.coordinator, title="Family model"
    )
    output = model_services.element_add(
        model=model, by=cast.coordinator, kind="output", text="Home visits"
    )
    model_services.indicator_add(
        element=output,
        by=cast.coordinator,
        name="Home visits made",
        responsible=cast.riverside,
        reporting_from=datetime.date(2026, 1, 1),
    )
    return cast


def get(client, tokens, name, who="riverside", **params):
    return client.get(reverse(f"read_api:{name}"), params, **tokens.header(who))


def test_the_openapi_document_is_valid_and_public(client):
    response = client.get(reverse("read_api:openapi"))
    assert response.status_code == 200
    validate(response.json())
    assert {f"/{r.name}" for r in RESOURCES} <= set(response.json()["paths"])


def test_every_list_matches_its_schema(client, tokens, workspace):
    document = client.get(reverse("read_api:openapi")).json()
    for resource in RESOURCES:
        response = get(client, tokens, resource.name)
        assert response.status_code == 200, resource.name
        data = response.json()
        schema = {
            **document["components"]["schemas"][f"{resource.schema_name}Page"],
            "components": document["components"],
        }
        jsonschema.validate(data, _resolved(schema, document))
    names = [p["name"] for p in get(client, tokens, "partnerships").json()["results"]]
    assert names == ["Eastside Family Support Partnership"]
    indicator = get(client, tokens, "indicators").json()["results"][0]
    assert indicator["name"] == "Home visits made"


def _resolved(schema: dict, document: dict) -> dict:
    """The schema with the document's components as $defs, for jsonschema."""
    components = document["components"]["schemas"]
    return {**_rewrite(schema), "$defs": _rewrite(components)}


def _rewrite(value):
    if isinstance(value, dict):
        return {
            k: (
                v.replace("#/components/schemas/", "#/$defs/")
                if k == "$ref"
                else _rewrite(v)
            )
            for k, v in value.items()
            if k != "components"
        }
    if isinstance(value, list):
        return [_rewrite(v) for v in value]
    return value


def test_a_token_sees_only_its_organisations_partnerships(client, tokens, workspace):
    lakeshore = get(client, tokens, "partnerships", who="lakeshore").json()
    assert [p["name"] for p in lakeshore["results"]] == [
        "Lakeshore Youth Mentoring Partnership"
    ]
    for resource in RESOURCES:
        body = get(client, tokens, resource.name, who="stranger").content.decode()
        assert "Eastside" not in body and "Care navigator" not in body
        assert get(client, tokens, resource.name, who="stranger").json()["count"] == 0
    detail = reverse("read_api:partnerships-detail", args=[workspace.eastside.pk])
    assert client.get(detail, **tokens.header("stranger")).status_code == 404
    assert client.get(detail, **tokens.header("riverside")).status_code == 200
    assert client.get(detail).status_code == 401


def test_modified_since_and_partnership_narrow_the_list(client, tokens, workspace):
    later = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    for resource in RESOURCES:
        assert (
            get(client, tokens, resource.name, modified_since=later).json()["count"]
            == 0
        ), resource.name
    assert (
        get(client, tokens, "responsibilities", modified_since="2000-01-01").json()[
            "count"
        ]
        == 1
    )
    assert (
        get(client, tokens, "partnerships", partnership=workspace.lakeshore.pk).json()[
            "count"
        ]
        == 0
    )
    for bad in [{"modified_since": "yesterday"}, {"page": "0"}, {"partnership": "x"}]:
        response = get(client, tokens, "partnerships", **bad)
        assert response.status_code == 400 and response.json()["error"]


def test_a_read_only_token_may_read_and_nothing_is_writable(client, tokens):
    assert get(client, tokens, "partnerships", who="riverside_read").status_code == 200
    response = client.post(
        reverse("read_api:partnerships"), **tokens.header("riverside")
    )
    assert response.status_code == 405


def test_a_page_costs_the_same_queries_however_many_rows(
    client, tokens, cast, django_assert_max_num_queries
):
    organisation = cast.stranger_org
    for n in range(60):
        partnership = PartnershipFactory(name=f"Food network {n}")
        ParticipationFactory(partnership=partnership, organisation=organisation)
        ParticipationFactory(
            partnership=partnership, organisation=OrganisationFactory()
        )
    # Token, count, page, prefetches (people, their users, commitments), the
    # use log (2).
    for name in ["partnerships", "participations"]:
        with django_assert_max_num_queries(8):
            data = get(client, tokens, name, who="stranger", per_page=50).json()
        assert data["count"] >= 60 and len(data["results"]) == 50


def _queries(client, tokens, name) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert get(client, tokens, name, per_page=50).status_code == 200
    return len(context)


def test_every_list_costs_the_same_queries_with_more_rows(client, tokens, workspace):
    from meetings import services as meeting_services

    cast = workspace
    before = {r.name: _queries(client, tokens, r.name) for r in RESOURCES}
    for n in range(3):
        accountability_services.responsibility_create(
            partnership=cast.eastside,
            by=cast.coordinator,
            title=f"Rota {n}",
            owner=cast.northside,
            due_date=datetime.date(2026, 2, 1),
        )
        model = model_services.model_create(
            partnership=cast.eastside, by=cast.coordinator, title=f"Model {n}"
        )
        element = model_services.element_add(
            model=model, by=cast.coordinator, kind="output", text=f"Output {n}"
        )
        indicator = model_services.indicator_add(
            element=element,
            by=cast.coordinator,
            name=f"Indicator {n}",
            responsible=cast.riverside,
            reporting_from=datetime.date(2026, 1, 1),
        )
        for month in (1, 2):
            model_services.measurement_add(
                indicator=indicator,
                by=cast.partner,
                period_start=datetime.date(2026, month, 1),
                period_end=datetime.date(2026, month, 28),
                value=month,
            )
        meeting_services.series_create(
            partnership=cast.eastside,
            by=cast.coordinator,
            title=f"Review {n}",
            kind="shared_review",
            rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=3",
            start_local=datetime.datetime(2026, 1, 13, 10, 0),
            duration_minutes=60,
            tz="America/New_York",
            invitees=[],
        )
    after = {r.name: _queries(client, tokens, r.name) for r in RESOURCES}
    counts = {
        name: get(client, tokens, name).json()["count"]
        for name in ("responsibilities", "logic-models", "indicators")
    }
    assert counts == {"responsibilities": 4, "logic-models": 4, "indicators": 4}
    assert after == before
    assert max(after.values()) <= 9
