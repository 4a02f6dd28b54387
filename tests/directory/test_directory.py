import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from directory import hsds, services
from directory.models import DirectoryService

pytestmark = pytest.mark.django_db
# The HSDS 3.0 schemas ship in ../shared beside the project; .ci/run names them
# in HSDS_SCHEMAS and sets HSDS_REQUIRED so these checks can never skip there.
SCHEMAS = Path(
    os.environ.get("HSDS_SCHEMAS")
    or Path(__file__).resolve().parents[2].parent / "shared" / "hsds" / "schema"
)


@pytest.fixture
def directory(cast):
    common = {"city": "Springfield", "state_province": "MA", "postal_code": "01101"}
    return [
        DirectoryService.objects.create(
            organisation=cast.riverside,
            name="Walk-in clinic",
            category="health",
            description="Primary care & “same-day” visits",
            languages="English, Spanish",
            phone="555-0100",
            address="400 River Road",
            eligibility="Anyone",
            fees="Sliding scale",
            required_documents="Photo ID\nProof of address",
            opens_at="08:00",
            closes_at="17:00",
            last_verified="2026-06-01",
            **common,
        ),
        DirectoryService.objects.create(
            organisation=cast.housing_org,
            name="Emergency housing",
            category="housing",
            languages="English",
            address="78 East Street",
            **common,
        ),
        DirectoryService.objects.create(
            organisation=cast.northside,
            name="Unpublished draft",
            published=False,
            **common,
        ),
    ]


def _schemas_or_skip():
    if not SCHEMAS.exists():
        if os.environ.get("CI") or os.environ.get("HSDS_REQUIRED"):
            pytest.fail(f"The HSDS schemas should be at {SCHEMAS} in CI.")
        pytest.skip(
            f"HSDS schemas not found at {SCHEMAS} (they sit beside the project in CI)."
        )


def test_the_json_export_validates_against_hsds_3(directory, client):
    _schemas_or_skip()
    import jsonschema

    schema = json.loads(
        (SCHEMAS / "compiled" / "service_with_definitions.json").read_text()
    )
    data = client.get(reverse("directory_json")).json()
    assert [s["name"] for s in data] == ["Emergency housing", "Walk-in clinic"]
    for service in data:
        jsonschema.validate(service, schema)


def test_the_data_package_validates_against_the_tabular_schema(directory, client):
    _schemas_or_skip()
    import jsonschema

    schema = json.loads((SCHEMAS / "compiled" / "tabular.json").read_text())
    response = client.get(reverse("directory_package"))
    tables = hsds.read_package(response.content)
    document = {
        hsds.SCHEMA_NAMES[name]: [
            {k: v for k, v in row.items() if v != ""} for row in rows
        ]
        for name, rows in tables.items()
    }
    jsonschema.validate(document, schema)
    package = json.loads(
        zipfile.ZipFile(io.BytesIO(response.content)).read("datapackage.json")
    )
    assert {r["path"] for r in package["resources"]} >= {
        "services.csv",
        "organizations.csv",
    }


def test_a_package_exported_and_imported_again_is_unchanged(cast, directory):
    first = hsds.data_package(DirectoryService.objects.all())
    before = hsds.read_package(first)
    DirectoryService.objects.filter(name="Walk-in clinic").update(
        name="Renamed", phone="", languages=""
    )
    assert services.directory_import(data=first, by=cast.hub) == 3
    after = hsds.read_package(hsds.data_package(DirectoryService.objects.all()))
    for name in before:
        assert after[name] == before[name], name
    assert DirectoryService.objects.count() == 3


def test_a_package_with_any_bad_row_imports_nothing(cast, directory):
    tables = hsds.read_package(hsds.data_package(DirectoryService.objects.all()))
    tables["services"][0]["status"] = "open-ish"
    tables["services"][1]["organization_id"] = "6b1e9a3c-0000-4000-8000-000000000000"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", "{}")
        for name, columns in hsds.TABLES.items():
            lines = [",".join(columns)] + [
                ",".join(row.get(c, "") for c in columns) for row in tables[name]
            ]
            archive.writestr(f"{name}.csv", "\n".join(lines))
    before = list(DirectoryService.objects.values_list("name", "updated_at"))
    with pytest.raises(hsds.HSDSInvalid) as invalid:
        services.directory_import(data=buffer.getvalue(), by=cast.hub)
    assert any("row 2: status: “open-ish”" in p for p in invalid.value.problems)
    assert any(
        "row 3: organization_id “6b1e9a3c-0000-4000-8000-000000000000” matches no "
        "row of organizations.csv" in p
        for p in invalid.value.problems
    )
    assert list(DirectoryService.objects.values_list("name", "updated_at")) == before
    with pytest.raises(hsds.HSDSInvalid, match="not a zipped"):
        services.directory_import(data=b"name,id\n", by=cast.hub)


def test_a_wrong_column_is_named(cast, directory, client_for):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", "{}")
        archive.writestr("organizations.csv", "id,name,colour\n1,A,red\n")
        archive.writestr("services.csv", "id,name\n")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(cast.hub).post(
        reverse("directory:import"),
        {"file": SimpleUploadedFile("d.zip", buffer.getvalue())},
    )
    assert "unknown column(s) colour" in response.text
    assert DirectoryService.objects.count() == 3
    # Partner staff never reach the hub's directory screens (the middleware).
    assert client_for(cast.partner).get(reverse("directory:import")).status_code == 403


def test_the_public_directory_shows_only_published_services(directory, client):
    from wagtail.models import Page, Site

    from cms.models import DirectoryPage, HomePage

    # Transactional tests may have emptied the page tree; build what a fresh
    # installation has.
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root")
    )
    home = root.add_child(instance=HomePage(title="Home", slug="home-test"))
    page = home.add_child(instance=DirectoryPage(title="Find help", slug="find-help"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "port": 80},
    )
    response = client.get(page.url, {"language": "spanish"})
    assert "Walk-in clinic" in response.text
    assert "Emergency housing" not in response.text
    everything = client.get(page.url).text
    assert "Unpublished draft" not in everything
    assert "Emergency housing" in everything


def test_stale_entries_remind_their_owner_once_a_month(cast, directory):
    import datetime

    DirectoryService.objects.update(owner=cast.partner)
    today = datetime.date(2027, 9, 1)
    # Walk-in clinic was checked 2026-06-01 (stale by then); the others never.
    assert services.directory_stale_remind(today=today) == 3
    assert services.directory_stale_remind(today=today) == 0
    assert (
        services.directory_stale_remind(today=today + datetime.timedelta(days=31)) == 3
    )
