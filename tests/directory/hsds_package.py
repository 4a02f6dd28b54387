"""A full HSDS 3.0 tabular package written from the standard's schema files:
two rows in every table, every column filled with a valid value of its type,
every reference kept."""

import csv
import io
import json
import os
import uuid
import zipfile
from pathlib import Path

import pytest

from directory import tabular

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
            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(tabular.TABLES[stem]["path"], text.getvalue())
        for name, content in raw.items():
            archive.writestr(name, content)
    return buffer.getvalue()
