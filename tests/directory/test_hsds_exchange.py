"""HSDS 3.0 both ways without loss: a package that uses every table and every
column the standard defines (written here from the schema files) is imported,
exported unchanged and valid; a bad one is refused with every problem listed
and nothing stored."""

import io
import json
import uuid
import zipfile

import pytest

from directory import hsds, selectors, services, tabular
from directory.models import DirectoryService, HSDSRecord
from partnerships.models import Organisation

from .hsds_package import SCHEMAS, _schemas, full_tables, package

pytestmark = pytest.mark.django_db


def comparable(tables) -> dict[str, list[dict]]:
    return {
        stem: sorted(
            ({k: v for k, v in row.items() if v} for row in rows),
            key=lambda row: row["id"],
        )
        for stem, rows in tables.items()
    }


def everything() -> bytes:
    all_services = list(DirectoryService.objects.select_related("organisation"))
    return hsds.data_package(all_services, selectors.records_for(all_services))


def test_the_shipped_table_list_is_the_standards(cast):
    schemas = _schemas()
    assert set(tabular.SCHEMA_NAMES.values()) == set(schemas)
    for stem, table in tabular.TABLES.items():
        schema = schemas[table["name"]]
        assert table["path"] == schema["path"] == f"{stem}.csv"
        expected = [
            name
            for name, field in schema["properties"].items()
            if field.get("type") in ("string", "number")
        ]
        assert tabular.COLUMNS[stem] == expected


def test_a_package_using_every_table_comes_back_unchanged_and_valid(cast):
    import jsonschema

    schemas = _schemas()
    given = full_tables(schemas)
    assert len(given) == 21 and all(len(rows) == 2 for rows in given.values())

    assert services.directory_import(data=package(given), by=cast.hub) == 2
    walk_in = DirectoryService.objects.get(uid=given["services"][0]["id"])
    assert walk_in.name == given["services"][0]["name"]
    assert walk_in.phone == "+1 413 555 0100" and walk_in.languages == "Spanish"
    assert HSDSRecord.objects.count() == 42

    exported = everything()
    back = hsds.read_package(exported)
    assert comparable(back) == comparable(given)
    assert hsds.check_tables(back) == []
    tabular_schema = json.loads((SCHEMAS / "compiled" / "tabular.json").read_text())
    jsonschema.validate(tabular.typed(back), tabular_schema)

    # Importing what was exported changes nothing either.
    assert services.directory_import(data=exported, by=cast.hub) == 2
    assert comparable(hsds.read_package(everything())) == comparable(given)
    assert HSDSRecord.objects.count() == 42


def test_the_data_package_declares_types_and_keys(cast):
    schemas = _schemas()
    services.directory_import(data=package(full_tables(schemas)), by=cast.hub)
    archive = zipfile.ZipFile(io.BytesIO(everything()))
    declared = json.loads(archive.read("datapackage.json"))
    resources = {r["name"]: r for r in declared["resources"]}
    assert set(resources) == set(schemas)
    for name, resource in resources.items():
        assert resource["path"] in archive.namelist()
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        assert resource["schema"]["primaryKey"] == ["id"]
        for key in resource["schema"]["foreignKeys"]:
            assert key["reference"]["resource"] in resources
            assert key["fields"][0] in fields
        for field_name, field in schemas[name]["properties"].items():
            if field.get("type") == "number":
                assert fields[field_name]["type"] == "number"
    service = {f["name"]: f for f in resources["service"]["schema"]["fields"]}
    assert service["status"]["constraints"]["enum"][0] == "active"
    assert service["last_modified"]["type"] == "datetime"


def test_the_public_package_carries_no_row_of_an_unpublished_service(cast, client):
    from django.urls import reverse

    schemas = _schemas()
    given = full_tables(schemas)
    given["services"][1]["status"] = "inactive"
    services.directory_import(data=package(given), by=cast.hub)
    hidden = given["services"][1]["id"]
    public = hsds.read_package(client.get(reverse("directory_package")).content)
    assert [row["id"] for row in public["services"]] == [given["services"][0]["id"]]
    for stem, rows in public.items():
        for row in rows:
            assert hidden not in row.values(), (stem, row)


def test_a_bad_package_is_refused_with_every_problem_and_nothing_stored(cast):
    schemas = _schemas()
    tables = full_tables(schemas)
    services_ = tables["services"]
    services_[0]["minimum_age"] = "eighteen"
    services_[0]["status"] = "open-ish"
    services_[1]["organization_id"] = str(uuid.uuid4())
    tables["organizations"][1]["email"] = "not an address"
    tables["locations"][0]["latitude"] = "north"
    tables["schedules"][0]["opens_at"] = "9am"
    tables["phones"][1]["id"] = ""
    tables["phones"][0]["service_id"] = "S-1"
    tables["contacts"][1]["id"] = tables["contacts"][0]["id"]
    for row in tables["addresses"]:
        del row["city"]
    counts = (
        DirectoryService.objects.count(),
        Organisation.objects.count(),
        HSDSRecord.objects.count(),
    )
    with pytest.raises(hsds.HSDSInvalid) as invalid:
        services.directory_import(data=package(tables), by=cast.hub)
    problems = "\n".join(invalid.value.problems)
    for expected in (
        "services.csv row 2: minimum_age: “eighteen” is not a number",
        "services.csv row 2: status: “open-ish” is not one of active",
        "services.csv row 3: organization_id “",
        "matches no row of organizations.csv",
        "organizations.csv row 3: email: “not an address” is not an e-mail",
        "locations.csv row 2: latitude: “north” is not a number",
        "schedules.csv row 2: opens_at: “9am” is not a time",
        "phones.csv row 3: id is empty",
        "phones.csv row 2: service_id: “S-1” is not a UUID",
        "contacts.csv row 3: the id “",
        "addresses.csv: the required column(s) city are missing",
    ):
        assert expected in problems, expected
    assert (
        DirectoryService.objects.count(),
        Organisation.objects.count(),
        HSDSRecord.objects.count(),
    ) == counts


@pytest.mark.parametrize("defect", ["latin-1", "oversized", "unknown column"])
def test_an_unreadable_package_is_refused_and_nothing_stored(cast, defect):
    tables = full_tables(_schemas())
    if defect == "latin-1":
        data = package(
            {k: v for k, v in tables.items() if k != "programs"},
            **{"programs.csv": "id,name\n1,Café\n".encode("latin-1")},
        )
        expected = "programs.csv is not UTF-8"
    elif defect == "oversized":
        data = package(tables) + b"\0" * hsds.MAX_UPLOAD_BYTES
        expected = "larger than"
    else:
        tables["services"][0]["colour"] = "red"
        data = package(tables)
        expected = "services.csv: unknown column(s) colour"
    with pytest.raises(hsds.HSDSInvalid) as invalid:
        services.directory_import(data=data, by=cast.hub)
    assert expected in " ".join(invalid.value.problems)
    assert not DirectoryService.objects.exists() and not HSDSRecord.objects.exists()


def test_an_edit_in_the_workspace_goes_out_in_place_of_the_imported_value(cast):
    given = full_tables(_schemas())
    services.directory_import(data=package(given), by=cast.hub)
    first = given["services"][0]["id"]
    DirectoryService.objects.filter(uid=first).update(
        name="Family housing desk", phone="+1 413 555 0199", languages="Portuguese"
    )
    exported = hsds.read_package(everything())
    # Still a whole package: every reference (a language's phone) holds.
    assert hsds.check_tables(exported) == []
    back = comparable(exported)
    service = next(row for row in back["services"] if row["id"] == first)
    assert service["name"] == "Family housing desk"
    assert service["alternate_name"] == given["services"][0]["alternate_name"]
    for table, column, value in (
        ("phones", "number", "+1 413 555 0199"),
        ("languages", "name", "Portuguese"),
    ):
        rows = [row for row in back[table] if row.get("service_id") == first]
        assert [row[column] for row in rows] == [value], table
    # The other service and the tables nobody edited are as they came.
    untouched = comparable(given)
    for table in ("phones", "languages"):
        assert [r for r in back[table] if r.get("service_id") != first] == [
            r for r in untouched[table] if r.get("service_id") != first
        ]
    assert back["contacts"] == untouched["contacts"]
