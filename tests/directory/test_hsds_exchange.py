"""HSDS 3.0 both ways without loss: a package that uses every table and every
column the standard defines (written here from the schema files) is imported,
exported unchanged and valid; a bad one is refused with every problem listed
and nothing stored."""

import io
import json
import os
import uuid
import zipfile
from pathlib import Path

import pytest

from directory import hsds, selectors, services, tabular
from directory.models import DirectoryService, HSDSRecord
from partnerships.models import Organisation

pytestmark = pytest.mark.django_db

SCHEMAS = Path(
    os.environ.get("HSDS_SCHEMAS")
    or Path(__file__).resolve().parents[2].parent / "shared" / "hsds" / "schema"
)
NAMESPACE = uuid.UUID("6f1d3a52-8a4e-4c1b-9d0e-2f6c7b1a9e10")
# Values the workspace also stores in its own fields, so they must fit them.
FITTING = {
    ("phone", "number"): "+1 413 555 0100",
    ("schedule", "byday"): "MO,TU,WE",
    ("address", "country"): "US",
    ("address", "state_province"): "MA",
    ("address", "postal_code"): "01101",
    ("language", "name"): "Spanish",
    ("service", "fees_description"): "Free for families",
    ("location", "latitude"): "42.1015",
    ("location", "longitude"): "-72.5898",
    ("attribute", "link_entity"): "service",
    ("metadata", "resource_type"): "service",
}


def _schemas():
    if not SCHEMAS.exists():
        if os.environ.get("CI") or os.environ.get("HSDS_REQUIRED"):
            pytest.fail(f"The HSDS schemas should be at {SCHEMAS} in CI.")
        pytest.skip(
            f"HSDS schemas not found at {SCHEMAS} (they sit beside the project in CI)."
        )
    found = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        if "datapackage_metadata" in schema:
            found[schema["name"]] = schema
    return found


def _id(table: str, n: int = 1) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{table}/{n}"))


def _value(table: str, name: str, field: dict, n: int) -> str:
    """A valid cell for every column, from its schema type and format."""
    if (table, name) in FITTING:
        return FITTING[(table, name)]
    if name == "id":
        return _id(table, n)
    if name in ("link_id", "resource_id"):
        return _id("service", n)
    reference = {
        "parent_organization_id": None,
        "parent_id": None,
    }.get(name, name.removesuffix("_id"))
    if field.get("format") == "uuid":
        # parent_* point at the first row of their own table.
        return _id(reference or table, 1 if reference is None else n)
    if "enum" in field:
        return field["enum"][0]
    kind = field.get("datapackage_type") or field["type"]
    if field.get("format") == "email":
        return f"{table}.{name}@example.org"
    if field.get("format") == "uri":
        return f"https://example.org/{table}/{name}/{n}"
    if kind == "number":
        return str(2000 + n)
    if kind == "date":
        return f"2026-0{n}-15"
    if kind == "datetime" or field.get("format") == "date-time":
        return f"2026-03-1{n}T10:30:45.123Z"
    if kind == "time":
        return f"0{7 + n}:30:00"
    return f"{table} {name} {n} — “quoted”, with a comma"


def full_tables(schemas) -> dict[str, list[dict]]:
    """Two rows in every table, every column filled, every reference kept."""
    tables = {}
    for schema in sorted(
        schemas.values(), key=lambda s: s["datapackage_metadata"]["order"]
    ):
        stem = schema["path"].removesuffix(".csv")
        columns = [
            (name, field)
            for name, field in schema["properties"].items()
            if field.get("type") in ("string", "number")
        ]
        tables[stem] = [
            {name: _value(schema["name"], name, field, n) for name, field in columns}
            for n in (1, 2)
        ]
    # The first organisation and taxonomy term have no parent.
    tables["organizations"][0].pop("parent_organization_id")
    tables["taxonomy_terms"][0].pop("parent_id")
    return tables


def package(tables: dict[str, list[dict]], **raw: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", "{}")
        for stem, rows in tables.items():
            columns = list(dict.fromkeys(key for row in rows for key in row))
            text = io.StringIO()
            import csv

            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(tabular.TABLES[stem]["path"], text.getvalue())
        for name, content in raw.items():
            archive.writestr(name, content)
    return buffer.getvalue()


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
