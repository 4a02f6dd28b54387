"""Open Referral HSDS 3.0 for the resource directory: a JSON list of services
and a tabular data package (CSV files plus datapackage.json, zipped). Pure
functions; imports validate every row and report every problem before
anything is written."""

from __future__ import annotations

import csv
import io
import struct
import uuid
import zipfile
import zlib

from . import tabular

# The standard's tables by file stem, their columns in order, and schema names.
TABLES = tabular.COLUMNS
SCHEMA_NAMES = tabular.SCHEMA_NAMES


def _id(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(str(p) for p in parts)))


def _time(value) -> str:
    return value.strftime("%H:%M:%S") if value else ""


def service_json(service, *, org_ids: dict[int, str] | None = None) -> dict:
    """One service in HSDS 3.0 JSON (service with its nested objects).
    `org_ids`: the HSDS ids organisations were imported under."""
    organisation = service.organisation
    org_id = (org_ids or {}).get(organisation.pk) or _id(
        "organisation", organisation.pk
    )
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
                    # HSDS requires every part of an address, or none.
                    if all(
                        (
                            service.address,
                            service.city,
                            service.state_province,
                            service.postal_code,
                            service.country,
                        )
                    )
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


def tables_for(services, *, org_ids: dict[int, str] | None = None) -> dict:
    """The workspace's own rows for services that came from no import."""
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    seen_orgs = set(org_ids.values()) if org_ids else set()
    for service in services:
        item = service_json(service, org_ids=org_ids)
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
            {key: item.get(key, "") for key in TABLES["services"] if key in item}
        )
        for sal in item["service_at_locations"]:
            location = sal["location"]
            tables["locations"].append(
                {k: v for k, v in location.items() if k in TABLES["locations"]}
            )
            tables["addresses"].extend(location["addresses"])
            tables["service_at_location"].append(
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


# What the workspace keeps in its own fields for an imported service: its
# export says the workspace's current value (an edit since the import shows).
OWN_COLUMNS = {
    "name": lambda s: s.name,
    "description": lambda s: s.description,
    "url": lambda s: s.url,
    "email": lambda s: s.email,
    "fees_description": lambda s: s.fees,
    "eligibility_description": lambda s: s.eligibility,
    "assured_date": lambda s: s.last_verified.isoformat() if s.last_verified else "",
}


def _service_row(stored: dict, service) -> dict:
    row = dict(stored)
    for column, value in OWN_COLUMNS.items():
        current = value(service)
        if current:
            row[column] = current
        else:
            row.pop(column, None)
    # Inactive, defunct and temporarily closed are all "not published" here:
    # the stored status stands unless publishing changed it.
    if (row.get("status") == "active") != service.published:
        row["status"] = "active" if service.published else "inactive"
    return row


def service_row(service, *, stored: dict | None = None, org_ids=None) -> dict:
    """The service's row of services.csv: as imported (with the workspace's
    own fields as they are now), or built from the workspace's fields."""
    if stored is not None:
        return _service_row(stored, service)
    item = service_json(service, org_ids=org_ids)
    return {key: item[key] for key in TABLES["services"] if key in item}


def organization_row(organisation, *, stored: dict | None = None) -> dict:
    """The organisation's row of organizations.csv: as imported, or built."""
    if stored is not None:
        return dict(stored)
    return {
        "id": _id("organisation", organisation.pk),
        "name": organisation.name,
        "description": organisation.get_kind_display(),
        "email": organisation.email,
        "website": organisation.website,
    }


def export_tables(services, records) -> dict[str, list[dict]]:
    """Every table of the package: the kept rows of imported data (with the
    workspace's own fields of each service as they are now), and the
    workspace's rows for services that came from no import."""
    services = list(services)
    by_uid = {str(s.uid): s for s in services}
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    org_ids, imported = {}, set()
    for record in records:
        row = record.row
        if record.table == "services" and record.hsds_id in by_uid:
            imported.add(record.hsds_id)
            row = _service_row(row, by_uid[record.hsds_id])
        if record.table == "organizations" and record.organisation_id:
            org_ids[record.organisation_id] = record.hsds_id
        tables[record.table].append(row)
    own = tables_for(
        [s for s in services if str(s.uid) not in imported], org_ids=org_ids
    )
    for name, rows in own.items():
        tables[name].extend(rows)
    _follow_edits(tables, [by_uid[uid] for uid in imported], org_ids)
    return tables


# The workspace fields an import fills from a service's rows of these tables,
# as the import derives them (directory.services.directory_import).
DERIVED = {
    "phones": (lambda rows: rows[0]["number"] if rows else "", lambda s: s.phone),
    "languages": (
        lambda rows: ", ".join(r.get("name", "") for r in rows),
        lambda s: s.languages,
    ),
    "required_documents": (
        lambda rows: "\n".join(r.get("document", "") for r in rows),
        lambda s: s.required_documents,
    ),
}


def _follow_edits(tables: dict, services: list, org_ids: dict) -> None:
    """Where someone changed an imported service's phone, languages or
    documents in the workspace, its kept rows of that table give way to the
    workspace's own."""
    for table, (from_rows, from_service) in DERIVED.items():
        mine: dict[str, list[dict]] = {}
        for row in tables[table]:
            mine.setdefault(row.get("service_id", ""), []).append(row)
        for service in services:
            uid = str(service.uid)
            kept = mine.get(uid, [])
            if from_rows(kept) == from_service(service):
                continue
            if table == "phones" and kept and service.phone:
                # Contacts and languages may name the phone: keep its row and
                # id, change the number.
                at = next(i for i, row in enumerate(tables[table]) if row is kept[0])
                tables[table][at] = {**kept[0], "number": service.phone}
                continue
            tables[table] = [row for row in tables[table] if row not in kept]
            tables[table].extend(
                {"service_id": uid, **row}
                for row in service_json(service, org_ids=org_ids)[table]
            )


def data_package(services, records=()) -> bytes:
    """A zipped HSDS 3.0 tabular data package of every table."""
    return tabular.write(
        export_tables(services, records), name="partnership-workspace-directory"
    )


class HSDSInvalid(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# Limits on an uploaded data package: a large region's directory fits well
# inside them, and they bound the memory and time one request can take.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 25 * 1024 * 1024
MAX_MEMBERS = 32
MAX_ROWS = 20_000
MAX_FIELD_CHARS = 10_000
_MB = 1024 * 1024
_END_OF_CENTRAL_DIRECTORY = struct.Struct("<4s4H2LH")


def _member_count(data: bytes) -> int | None:
    """How many files the zip's end record announces, read before zipfile builds
    an object per entry (a small upload can list hundreds of thousands)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at == -1 or len(data) - at < _END_OF_CENTRAL_DIRECTORY.size:
        return None
    fields = _END_OF_CENTRAL_DIRECTORY.unpack_from(data, at)
    entries, directory_size = fields[4], fields[5]
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:  # Zip64: never ours
        return MAX_MEMBERS + 1
    # Each central-directory entry takes at least 46 bytes.
    return max(entries, directory_size // 46)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int):
    """The member's bytes, never more than budget even if its header lies."""
    with archive.open(info) as member:
        data = member.read(budget + 1)
    if len(data) > budget or len(data) > info.file_size:
        raise HSDSInvalid(
            [f"{info.filename} is larger than its zip header says; not imported."]
        )
    return data


def _decode(path: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise HSDSInvalid(
            [
                f"{path} is not UTF-8 text (byte 0x{data[error.start]:02X} on line "
                f"{line}). Save it as “CSV UTF-8” and import the package again."
            ]
        ) from None
    if "\x00" in text:
        raise HSDSInvalid([f"{path} contains NUL characters; it is not a CSV file."])
    return text


def _read_csv(path: str, text: str) -> tuple[list[str], list[dict], list[str]]:
    """Header, rows and the problems that stop the file being read at all.
    Cells that do not fit a row are left for check_tables to report."""
    problems, rows, fieldnames = [], [], []
    reader = csv.DictReader(io.StringIO(text), restval="")
    try:
        fieldnames = list(reader.fieldnames or [])
        for row in reader:
            if len(rows) >= MAX_ROWS:
                problems.append(
                    f"{path} has more than {MAX_ROWS:,} rows; split the package."
                )
                break
            rows.append(row)
    except csv.Error:
        # The csv module itself refuses cells over 128 KiB, and broken quoting.
        problems.append(
            f"{path} row {len(rows) + 2}: a cell is longer than "
            f"{MAX_FIELD_CHARS:,} characters or badly quoted."
        )
    return fieldnames, rows, problems


def _open_package(data: bytes) -> zipfile.ZipFile:
    """The zip, once its size, file count and paths are within bounds."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise HSDSInvalid(
            [
                f"The file is larger than {MAX_UPLOAD_BYTES // _MB} MB; split the "
                "directory into several packages."
            ]
        )
    count = _member_count(data)
    if count is None:
        raise HSDSInvalid(["This is not a zipped HSDS data package."])
    if count > MAX_MEMBERS:
        raise HSDSInvalid(
            [
                f"The zip holds more than {MAX_MEMBERS} files; an HSDS data package "
                "needs datapackage.json and one CSV file a table."
            ]
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise HSDSInvalid(["This is not a zipped HSDS data package."]) from None
    problems = []
    names = [info.filename for info in infos]
    nested = [
        name for name in names if "/" in name or "\\" in name or name in (".", "..")
    ]
    if nested:
        problems.append(
            "Put the files at the top of the zip, not in folders: "
            + ", ".join(sorted(nested)[:10])
            + "."
        )
    if len(names) != len(set(names)):
        problems.append("The zip holds two files of the same name.")
    if len(infos) > MAX_MEMBERS:
        problems.append(f"The zip holds more than {MAX_MEMBERS} files.")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        largest = max(infos, key=lambda info: info.file_size)
        problems.append(
            f"The files would unpack to more than {MAX_UNPACKED_BYTES // _MB} MB "
            f"({largest.filename}: {largest.file_size // _MB} MB); not unpacked."
        )
    if problems:
        raise HSDSInvalid(problems)
    return archive


def read_package(data: bytes) -> dict[str, list[dict]]:
    """Tables from a data package; HSDSInvalid lists every problem found."""
    tables, problems, _ = _read(data)
    if problems:
        raise HSDSInvalid(problems)
    return tables


def read_and_check(data: bytes) -> dict[str, list[dict]]:
    """Tables from a data package whose every cell passed the checks;
    HSDSInvalid lists every problem of every file."""
    tables, problems, complete = _read(data)
    # A file that could not be read at all would make every reference to its
    # rows look broken: then only the reading problems are listed.
    if complete:
        problems.extend(check_tables(tables))
    if problems:
        raise HSDSInvalid(problems)
    return tables


def _read(data: bytes) -> tuple[dict[str, list[dict]], list[str], bool]:
    """The tables, the problems found reading them, and whether every file
    could be read (a zip that cannot be opened raises HSDSInvalid)."""
    archive = _open_package(data)
    problems, tables, complete = [], {name: [] for name in TABLES}, True
    infos = {info.filename: info for info in archive.infolist()}
    if "datapackage.json" not in infos:
        problems.append("datapackage.json is missing.")
    paths = {tabular.TABLES[name]["path"]: name for name in TABLES}
    paths.update(tabular.LEGACY_PATHS)
    budget = MAX_UNPACKED_BYTES
    for path, name in paths.items():
        if path not in infos:
            if name in ("organizations", "services"):
                problems.append(f"{path} is missing.")
            continue
        try:
            raw = _read_member(archive, infos[path], budget)
            text = _decode(path, raw)
        except HSDSInvalid as invalid:
            problems.extend(invalid.problems)
            complete = False
            continue
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, zlib.error):
            # Corrupt data, a CRC mismatch, encryption or an unknown compression.
            problems.append(f"{path} could not be unpacked; zip the files again.")
            complete = False
            continue
        except NotImplementedError:
            problems.append(f"{path} uses a compression this import cannot read.")
            complete = False
            continue
        budget -= len(raw)
        fieldnames, rows, row_problems = _read_csv(path, text)
        complete = complete and not row_problems
        problems.extend(row_problems)
        problems.extend(tabular.header_problems(name, fieldnames))
        tables[name].extend(rows)
    return tables, problems, complete


# Where each imported cell is stored (directory.services.directory_import):
# the model field decides its length and format.
STORED_AS = {
    "organizations": {
        "name": ("Organisation", "name"),
        "email": ("Organisation", "email"),
        "website": ("Organisation", "website"),
    },
    "services": {
        "name": ("DirectoryService", "name"),
        "url": ("DirectoryService", "url"),
        "email": ("DirectoryService", "email"),
        "fees_description": ("DirectoryService", "fees"),
    },
    "phones": {"number": ("DirectoryService", "phone")},
    "schedules": {"byday": ("DirectoryService", "opening_days")},
    "service_at_location": {"location_id": ("DirectoryService", "location_uid")},
    "addresses": {
        "location_id": ("DirectoryService", "location_uid"),
        "address_1": ("DirectoryService", "address"),
        "city": ("DirectoryService", "city"),
        "state_province": ("DirectoryService", "state_province"),
        "postal_code": ("DirectoryService", "postal_code"),
        "country": ("DirectoryService", "country"),
    },
}


def _row_shape_problems(tables: dict[str, list[dict]]) -> list[str]:
    problems = []
    for table, rows in tables.items():
        for number, row in enumerate(rows, start=2):
            where = f"{table}.csv row {number}"
            if None in row:  # csv.DictReader's place for cells beyond the header
                problems.append(
                    f"{where}: more cells than columns (put quotes around a value "
                    "that contains a comma)."
                )
            long = [
                key
                for key, value in row.items()
                if key is not None and len(value or "") > MAX_FIELD_CHARS
            ]
            if long:
                problems.append(
                    f"{where}: {', '.join(long)} is longer than "
                    f"{MAX_FIELD_CHARS:,} characters."
                )
    return problems


def _stored_field_problems(tables: dict[str, list[dict]]) -> list[str]:
    from django.core.exceptions import ValidationError

    from partnerships.models import Organisation

    from .models import DirectoryService

    models = {"Organisation": Organisation, "DirectoryService": DirectoryService}
    problems = []
    for table, columns in STORED_AS.items():
        fields = {
            column: models[model]._meta.get_field(field)
            for column, (model, field) in columns.items()
        }
        for number, row in enumerate(tables.get(table, []), start=2):
            for column, field in fields.items():
                value = row.get(column) or ""
                if not value or len(value) > MAX_FIELD_CHARS:
                    continue
                try:
                    field.clean(value, None)
                except ValidationError as error:
                    reason = " ".join(error.messages)
                    problems.append(f"{table}.csv row {number}: {column}: {reason}")
    languages: dict[str, list[str]] = {}
    for row in tables.get("languages", []):
        languages.setdefault(row.get("service_id", ""), []).append(row.get("name", ""))
    limit = DirectoryService._meta.get_field("languages").max_length
    for service_id, names in languages.items():
        if len(", ".join(names)) > limit:
            problems.append(
                f"languages.csv: the languages of service {service_id[:40]} come to "
                f"more than {limit} characters."
            )
    return problems


def check_tables(tables: dict[str, list[dict]]) -> list[str]:
    """Every problem of the package's rows: their shape, the standard's types,
    keys and references, and what the workspace's own fields can hold."""
    return (
        _row_shape_problems(tables)
        + tabular.check(tables)
        + _stored_field_problems(tables)
    )
