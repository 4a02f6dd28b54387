"""Open Referral HSDS 3.0 for the resource directory: a JSON list of services
and a tabular data package (CSV files plus datapackage.json, zipped). Pure
functions; imports validate every row and report every problem before
anything is written."""

from __future__ import annotations

import csv
import datetime
import io
import json
import uuid
import zipfile

TABLES = {
    "organizations": ["id", "name", "description", "email", "website"],
    "services": [
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "email",
        "status",
        "fees_description",
        "eligibility_description",
        "assured_date",
        "last_modified",
    ],
    "locations": [
        "id",
        "organization_id",
        "name",
        "location_type",
    ],
    "addresses": [
        "id",
        "location_id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "service_at_locations": ["id", "service_id", "location_id"],
    "phones": ["id", "service_id", "number"],
    "schedules": ["id", "service_id", "freq", "byday", "opens_at", "closes_at"],
    "languages": ["id", "service_id", "name"],
    "required_documents": ["id", "service_id", "document"],
}
SCHEMA_NAMES = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "addresses": "address",
    "service_at_locations": "service_at_location",
    "phones": "phone",
    "schedules": "schedule",
    "languages": "language",
    "required_documents": "required_document",
}


def _id(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(str(p) for p in parts)))


def _time(value) -> str:
    return value.strftime("%H:%M:%S") if value else ""


def service_json(service) -> dict:
    """One service in HSDS 3.0 JSON (service with its nested objects)."""
    organisation = service.organisation
    org_id = _id("organisation", organisation.pk)
    location_id = str(service.location_uid)
    data = {
        "id": str(service.uid),
        "organization_id": org_id,
        "name": service.name,
        "description": service.description,
        "status": "active" if service.published else "inactive",
        "fees_description": service.fees,
        "eligibility_description": service.eligibility,
        "organization": {
            "id": org_id,
            "name": organisation.name,
            "description": organisation.get_kind_display(),
        },
        "phones": [{"id": _id("phone", service.uid), "number": service.phone}]
        if service.phone
        else [],
        "languages": [
            {"id": _id("language", service.uid, name), "name": name}
            for name in service.language_list
        ],
        "required_documents": [
            {"id": _id("document", service.uid, line), "document": line}
            for line in service.required_documents.splitlines()
            if line.strip()
        ],
        "schedules": [
            {
                "id": _id("schedule", service.uid),
                "freq": "WEEKLY",
                "byday": service.opening_days,
                "opens_at": _time(service.opens_at),
                "closes_at": _time(service.closes_at),
            }
        ]
        if service.opening_days and service.opens_at
        else [],
        "service_at_locations": [
            {
                "id": _id("sal", service.uid),
                "location": {
                    "id": location_id,
                    "organization_id": org_id,
                    "name": f"{organisation.name}, {service.city}".strip(", "),
                    "location_type": "physical",
                    "addresses": [
                        {
                            "id": _id("address", location_id),
                            "location_id": location_id,
                            "address_1": service.address,
                            "city": service.city,
                            "state_province": service.state_province,
                            "postal_code": service.postal_code,
                            "country": service.country,
                            "address_type": "physical",
                        }
                    ]
                    if (service.address or service.city or service.postal_code)
                    else [],
                },
            }
        ],
    }
    if service.url:
        data["url"] = service.url
    if service.email:
        data["email"] = service.email
    if service.last_verified:
        data["assured_date"] = service.last_verified.isoformat()
    return data


def tables_for(services) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    seen_orgs = set()
    for service in services:
        item = service_json(service)
        org = item["organization"]
        if org["id"] not in seen_orgs:
            seen_orgs.add(org["id"])
            tables["organizations"].append(
                {
                    "id": org["id"],
                    "name": org["name"],
                    "description": org["description"],
                    "email": service.organisation.email,
                    "website": service.organisation.website,
                }
            )
        tables["services"].append(
            {
                key: item.get(key, "")
                for key in TABLES["services"]
                if key not in ("last_modified",)
            }
            | {"last_modified": ""}
        )
        for sal in item["service_at_locations"]:
            location = sal["location"]
            tables["locations"].append({k: location[k] for k in TABLES["locations"]})
            tables["addresses"].extend(location["addresses"])
            tables["service_at_locations"].append(
                {
                    "id": sal["id"],
                    "service_id": item["id"],
                    "location_id": location["id"],
                }
            )
        for key in ("phones", "schedules", "languages", "required_documents"):
            for row in item[key]:
                tables[key].append({"service_id": item["id"], **row})
    return tables


def data_package(services) -> bytes:
    """A zipped HSDS tabular data package."""
    tables = tables_for(services)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        resources = []
        for name, columns in TABLES.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for row in tables[name]:
                writer.writerow({c: row.get(c, "") for c in columns})
            archive.writestr(f"{name}.csv", text.getvalue())
            resources.append(
                {
                    "name": SCHEMA_NAMES[name],
                    "path": f"{name}.csv",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "profile": "tabular-data-resource",
                    "schema": {
                        "fields": [{"name": c, "type": "string"} for c in columns]
                    },
                }
            )
        archive.writestr(
            "datapackage.json",
            json.dumps(
                {
                    "name": "partnership-workspace-directory",
                    "profile": "tabular-data-package",
                    "created": datetime.datetime.now(datetime.UTC).isoformat(),
                    "resources": resources,
                },
                indent=2,
            ),
        )
    return buffer.getvalue()


class HSDSInvalid(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def read_package(data: bytes) -> dict[str, list[dict]]:
    """Tables from a data package; HSDSInvalid lists every problem found."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise HSDSInvalid(["This is not a zipped HSDS data package."]) from None
    problems, tables = [], {}
    names = set(archive.namelist())
    if "datapackage.json" not in names:
        problems.append("datapackage.json is missing.")
    for name, columns in TABLES.items():
        path = f"{name}.csv"
        if path not in names:
            if name in ("organizations", "services"):
                problems.append(f"{path} is missing.")
            tables[name] = []
            continue
        reader = csv.DictReader(io.StringIO(archive.read(path).decode("utf-8-sig")))
        unknown = set(reader.fieldnames or []) - set(columns)
        missing = {"id"} - set(reader.fieldnames or [])
        if unknown:
            problems.append(f"{path}: unknown column(s) {', '.join(sorted(unknown))}.")
        if missing:
            problems.append(f"{path}: the id column is missing.")
        tables[name] = list(reader)
    if problems:
        raise HSDSInvalid(problems)
    return tables


def check_tables(tables: dict[str, list[dict]]) -> list[str]:
    problems = []
    organisations = {row["id"]: row for row in tables["organizations"]}
    for number, row in enumerate(tables["organizations"], start=2):
        if not row.get("name", "").strip():
            problems.append(f"organizations.csv row {number}: the name is empty.")
    for number, row in enumerate(tables["services"], start=2):
        where = f"services.csv row {number}"
        try:
            uuid.UUID(row.get("id", ""))
        except ValueError:
            problems.append(f"{where}: id “{row.get('id')}” is not a UUID.")
        if not row.get("name", "").strip():
            problems.append(f"{where}: the name is empty.")
        if row.get("organization_id") not in organisations:
            problems.append(f"{where}: organization_id matches no organisation.")
        if row.get("status") not in (
            "active",
            "inactive",
            "defunct",
            "temporarily closed",
        ):
            problems.append(
                f"{where}: status “{row.get('status')}” is not an HSDS status."
            )
        if row.get("assured_date"):
            try:
                datetime.date.fromisoformat(row["assured_date"])
            except ValueError:
                problems.append(f"{where}: assured_date is not a date (YYYY-MM-DD).")
    for number, row in enumerate(tables["schedules"], start=2):
        for key in ("opens_at", "closes_at"):
            if row.get(key):
                try:
                    datetime.time.fromisoformat(row[key])
                except ValueError:
                    problems.append(f"schedules.csv row {number}: {key} is not a time.")
    return problems
