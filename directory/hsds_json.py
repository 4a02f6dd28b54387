"""HSDS 3.0 JSON in: a service, a list of services or an API page
({"contents": [...]}) with its nested objects, flattened into the standard's
tables so it is checked and imported exactly like a tabular package. Pure."""

from __future__ import annotations

import json

from . import hsds, tabular

# The nested property -> the table its objects belong to.
CHILDREN = {
    "organization": "organization",
    "program": "program",
    "programs": "program",
    "services": "service",
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "location": "location",
    "locations": "location",
    "languages": "language",
    "funding": "funding",
    "cost_options": "cost_option",
    "required_documents": "required_document",
    "contacts": "contact",
    "attributes": "attribute",
    "metadata": "metadata",
    "organization_identifiers": "organization_identifier",
    "addresses": "address",
    "accessibility": "accessibility",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
}


def looks_like_json(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fill(row: dict, key: str, value: str) -> None:
    if not row.get(key):
        row[key] = value


def _link(parent: tuple[str, dict], child: tuple[str, dict]) -> None:
    """Fill in the reference the nesting implies, where it was left out."""
    (parent_table, parent_row), (child_table, child_row) = parent, child
    stem = tabular.STEM_OF[child_table]
    parent_stem = tabular.STEM_OF[parent_table]
    if child_table == "attribute":
        _fill(child_row, "link_id", parent_row.get("id", ""))
        _fill(child_row, "link_entity", parent_table)
    elif child_table == "metadata":
        _fill(child_row, "resource_id", parent_row.get("id", ""))
        _fill(child_row, "resource_type", parent_table)
    elif f"{parent_table}_id" in tabular.COLUMNS[stem]:
        _fill(child_row, f"{parent_table}_id", parent_row.get("id", ""))
    elif f"{child_table}_id" in tabular.COLUMNS[parent_stem]:
        # A service's organization and program, a term's taxonomy, the
        # location of a service_at_location.
        _fill(parent_row, f"{child_table}_id", child_row.get("id", ""))


def to_tables(document) -> tuple[dict[str, list[dict]], list[str]]:
    """The tables the JSON's objects make, and what could not be placed."""
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        document = document["contents"]
    services = document if isinstance(document, list) else [document]
    tables: dict[str, list[dict]] = {stem: [] for stem in tabular.COLUMNS}
    seen: dict[tuple[str, str], dict] = {}
    problems: list[str] = []

    def place(table: str, item, parent, where: str) -> None:
        if not isinstance(item, dict):
            problems.append(f"{where}: expected an object.")
            return
        stem = tabular.STEM_OF[table]
        # A required field left out is reported as empty, row by row.
        row = {
            c["name"]: "" for c in tabular.TABLES[stem]["columns"] if c.get("required")
        }
        for key, value in item.items():
            if key in CHILDREN or value is None:
                continue
            if key not in tabular.COLUMNS[stem] or isinstance(value, dict | list):
                problems.append(f"{where}: {key} is not a field of an HSDS {table}.")
                continue
            row[key] = _cell(value)
        if parent is not None:
            _link(parent, (table, row))
        known = seen.get((table, row.get("id", "")))
        if known is None or not row.get("id"):
            seen[(table, row.get("id", ""))] = row
            tables[stem].append(row)
        else:
            # The same object nested twice (an organisation under each of its
            # services): one row, with whatever either copy says.
            for key, value in row.items():
                _fill(known, key, value)
            row = known
        for key, value in item.items():
            if key not in CHILDREN or value is None:
                continue
            children = value if isinstance(value, list) else [value]
            for n, child in enumerate(children):
                place(CHILDREN[key], child, (table, row), f"{where}.{key}[{n}]")

    for n, service in enumerate(services):
        place("service", service, None, f"service[{n}]")
    return tables, problems


def read_and_check(data: bytes) -> dict[str, list[dict]]:
    """Tables from HSDS JSON whose every value passed the checks; HSDSInvalid
    lists every problem (by the table each object belongs to)."""
    if len(data) > hsds.MAX_UPLOAD_BYTES:
        raise hsds.HSDSInvalid(
            [f"The file is larger than {hsds.MAX_UPLOAD_BYTES // hsds._MB} MB."]
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise hsds.HSDSInvalid(["The JSON is not UTF-8 text."]) from None
    except ValueError as error:
        raise hsds.HSDSInvalid([f"This is not valid JSON ({error})."]) from None
    tables, problems = to_tables(document)
    if sum(len(rows) for rows in tables.values()) > hsds.MAX_ROWS:
        raise hsds.HSDSInvalid([f"More than {hsds.MAX_ROWS:,} objects; split it."])
    problems.extend(hsds.check_tables(tables))
    if problems:
        raise hsds.HSDSInvalid(problems)
    return tables
