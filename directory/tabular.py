"""The HSDS 3.0 tabular format, table by table: which files, columns, types,
keys and references the standard defines (compiled from its schema files into
hsds3_tables.json), the checks of one package's cells against them, and the
data package written out. Pure: tables are {file stem: [row dicts of cell
text]}; no database."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import uuid
import zipfile
from pathlib import Path

_SPEC = json.loads((Path(__file__).with_name("hsds3_tables.json")).read_text())

# Tables by file stem ("organizations", "service_at_location", …), in the
# standard's order.
TABLES: dict[str, dict] = {t["path"].removesuffix(".csv"): t for t in _SPEC["tables"]}
COLUMNS: dict[str, list[str]] = {
    stem: [c["name"] for c in table["columns"]] for stem, table in TABLES.items()
}
SCHEMA_NAMES: dict[str, str] = {stem: t["name"] for stem, t in TABLES.items()}
STEM_OF: dict[str, str] = {t["name"]: stem for stem, t in TABLES.items()}
# Earlier versions of this workspace wrote the file under a plural name.
LEGACY_PATHS = {"service_at_locations.csv": "service_at_location"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def _cell_problem(column: dict, value: str) -> str | None:
    """Why `value` is not a valid cell of `column`, or None."""
    kind, form = column["type"], column.get("format")
    try:
        if form == "uuid":
            uuid.UUID(value)
        elif kind == "number":
            float(value)
        elif kind == "date":
            datetime.date.fromisoformat(value)
        elif kind == "datetime" or form == "date-time":
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif kind == "time":
            datetime.time.fromisoformat(value)
    except ValueError:
        expected = {
            "uuid": "a UUID",
            "number": "a number",
            "date": "a date (YYYY-MM-DD)",
            "datetime": "a date and time (ISO 8601)",
            "date-time": "a date and time (ISO 8601)",
            "time": "a time (HH:MM:SS)",
        }
        return f"“{value[:60]}” is not {expected.get(form or kind, kind)}"
    if form == "email" and not _EMAIL.match(value):
        return f"“{value[:60]}” is not an e-mail address"
    if form == "uri" and not _URI.match(value):
        return f"“{value[:60]}” is not a URI"
    if "enum" in column and value not in column["enum"]:
        return f"“{value[:60]}” is not one of {', '.join(column['enum'])}"
    return None


def header_problems(stem: str, fieldnames: list[str]) -> list[str]:
    """Columns the standard does not define, and required ones left out."""
    path, problems = TABLES[stem]["path"], []
    unknown = set(fieldnames) - set(COLUMNS[stem])
    if unknown:
        problems.append(f"{path}: unknown column(s) {', '.join(sorted(unknown))}.")
    missing = [
        c["name"]
        for c in TABLES[stem]["columns"]
        if c.get("required") and c["name"] not in fieldnames
    ]
    if missing:
        problems.append(
            f"{path}: the required column(s) {', '.join(missing)} are missing."
        )
    return problems


def check(tables: dict[str, list[dict]]) -> list[str]:
    """Every problem with the cells: required values, types, duplicate ids and
    references to rows the package does not hold, by file, row and column."""
    problems = []
    ids = {
        stem: {row.get("id") for row in rows if row.get("id")}
        for stem, rows in tables.items()
    }
    for stem, rows in tables.items():
        table, seen = TABLES[stem], set()
        for number, row in enumerate(rows, start=2):
            where = f"{table['path']} row {number}"
            for column in table["columns"]:
                name = column["name"]
                if name not in row:
                    continue  # a missing column is named once (header_problems)
                value = row[name] or ""
                if not value:
                    if column.get("required"):
                        problems.append(f"{where}: {name} is empty.")
                    continue
                problem = _cell_problem(column, value)
                if problem:
                    problems.append(f"{where}: {name}: {problem}.")
                    continue
                target = column.get("references")
                if target and value not in ids.get(STEM_OF[target], set()):
                    problems.append(
                        f"{where}: {name} “{value}” matches no row of "
                        f"{TABLES[STEM_OF[target]]['path']}."
                    )
            if row.get("id") in seen:
                problems.append(f"{where}: the id “{row['id']}” appears twice.")
            seen.add(row.get("id"))
    return problems


def typed_row(stem: str, row: dict) -> dict:
    """One row as HSDS JSON values: numbers as numbers, empty cells left out."""
    kinds = {c["name"]: c["type"] for c in TABLES[stem]["columns"]}
    item = {}
    for key, value in row.items():
        if value in ("", None):
            continue
        if kinds.get(key) == "number":
            number = float(value)
            item[key] = int(number) if number.is_integer() else number
        else:
            item[key] = value
    return item


def typed(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The tables as HSDS JSON by schema name, the shape the compiled tabular
    schema validates."""
    return {
        SCHEMA_NAMES[stem]: [typed_row(stem, row) for row in rows]
        for stem, rows in tables.items()
    }


_FIELD_TYPES = {"datetime": "datetime", "date": "date", "time": "time"}


def _resource(stem: str) -> dict:
    table = TABLES[stem]
    fields = []
    for column in table["columns"]:
        field = {
            "name": column["name"],
            "type": _FIELD_TYPES.get(column["type"], column["type"]),
        }
        if column.get("format") in ("uuid", "email", "uri"):
            field["format"] = column["format"]
        constraints = {}
        if column.get("required"):
            constraints["required"] = True
        if column["name"] == "id":
            constraints["unique"] = True
        if "enum" in column:
            constraints["enum"] = column["enum"]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {
        "name": table["name"],
        "path": table["path"],
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "schema": {
            "fields": fields,
            "primaryKey": ["id"],
            "foreignKeys": [
                {
                    "fields": [c["name"]],
                    "reference": {"resource": c["references"], "fields": ["id"]},
                }
                for c in table["columns"]
                if c.get("references")
            ],
        },
    }


def write(tables: dict[str, list[dict]], *, name: str) -> bytes:
    """A zipped tabular data package: one CSV file a table (every table, with
    the standard's columns in its order) and datapackage.json declaring the
    field types, primary and foreign keys."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem, columns in COLUMNS.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for row in tables.get(stem, []):
                writer.writerow({c: row.get(c, "") for c in columns})
            archive.writestr(TABLES[stem]["path"], text.getvalue())
        archive.writestr(
            "datapackage.json",
            json.dumps(
                {
                    "name": name,
                    "profile": "tabular-data-package",
                    "created": datetime.datetime.now(datetime.UTC).isoformat(),
                    "resources": [_resource(stem) for stem in COLUMNS],
                },
                indent=2,
            ),
        )
    return buffer.getvalue()


# Tables about the package itself or shared vocabularies: they belong to no
# service or organisation and go out with every export.
SHARED = {"taxonomies", "taxonomy_terms", "meta_table_descriptions"}


def scopes(tables: dict[str, list[dict]]) -> dict[tuple[str, str], tuple]:
    """For each row, (table, id) -> (the service ids whose export carries it,
    the organisation id it belongs to), following the package's references."""
    services: dict[str, set] = {}  # any row id -> its services
    org_of: dict[str, str] = {}

    def of(value) -> set:
        return services.get(value or "", set())

    for row in tables.get("services", []):
        services[row.get("id", "")] = {row.get("id", "")}
    at_location: dict[str, set] = {}
    for row in tables.get("service_at_location", []):
        services[row.get("id", "")] = {row.get("service_id", "")}
        at_location.setdefault(row.get("location_id", ""), set()).add(
            row.get("service_id", "")
        )
    for row in tables.get("locations", []):
        services[row.get("id", "")] = at_location.get(row.get("id", ""), set())
    # Rows hang off services, places and contacts; attributes and metadata
    # off any row, so they come last.
    first = ["services", "service_at_location", "locations", "contacts", "phones"]
    last = ["attributes", "metadata"]
    order = [
        *first[3:],
        *[stem for stem in tables if stem not in first + last],
        *last,
    ]
    result = {}
    for stem in order:
        for row in tables.get(stem, []):
            linked = set()
            for column in (
                "service_id",
                "service_at_location_id",
                "location_id",
                "contact_id",
                "phone_id",
                "link_id",
                "resource_id",
            ):
                linked |= of(row.get(column))
            services.setdefault(row.get("id", ""), set()).update(linked)
    for stem in tables:
        for row in tables[stem]:
            org = row.get("organization_id", "")
            if stem == "organizations":
                org = row.get("id", "")
            elif stem in ("services", "programs"):
                org_of[row.get("id", "")] = org
            if not org:
                org = next(
                    (org_of[s] for s in sorted(of(row.get("id"))) if s in org_of), ""
                )
            result[(stem, row.get("id", ""))] = (sorted(of(row.get("id"))), org)
    return result
