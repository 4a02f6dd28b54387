"""Writes to the resource directory: importing an HSDS data package and
reminding owners of entries nobody has checked for a long time."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partnerships import reminders
from partnerships.emails import send_email
from partnerships.services import organisation_get_or_create

from . import hsds, hsds_json, tabular
from .models import DirectoryService, HSDSRecord

__all__ = ["directory_due_reminders", "directory_import", "directory_stale_remind"]


@transaction.atomic
def directory_import(*, data: bytes, by) -> int:
    """Import an HSDS data package (zipped CSV, or HSDS JSON: services with
    their nested objects): every row checked first, then all written or
    none. Services are matched by their HSDS id, organisations by name. Every
    row of every table is kept (HSDSRecord), so the export gives back what
    came in."""
    if not by.is_staff:
        raise PermissionDenied("Only hub staff import the directory.")
    if hsds_json.looks_like_json(data):
        tables = hsds_json.read_and_check(data)
    else:
        tables = hsds.read_and_check(data)
    organisations = {}
    for row in tables["organizations"]:
        # The one way organisations come to exist: normalised name, logged.
        organisations[row["id"]], _ = organisation_get_or_create(
            name=row["name"],
            by=by,
            email=row.get("email", ""),
            website=row.get("website", ""),
        )
    _keep_rows(tables, organisations)
    by_service = {
        name: {} for name in ("phones", "schedules", "languages", "required_documents")
    }
    for name in by_service:
        for row in tables[name]:
            by_service[name].setdefault(row["service_id"], []).append(row)
    location_of = {
        r["service_id"]: r["location_id"] for r in tables["service_at_location"]
    }
    addresses = {r["location_id"]: r for r in tables["addresses"]}
    count = 0
    for number, row in enumerate(tables["services"], start=2):
        service = DirectoryService.objects.filter(
            uid=row["id"]
        ).first() or DirectoryService(uid=row["id"])
        service.organisation = organisations[row["organization_id"]]
        service.name = row["name"]
        service.description = row.get("description", "")
        service.url = row.get("url", "")
        service.email = row.get("email", "")
        service.published = row.get("status") == "active"
        service.fees = row.get("fees_description", "")
        service.eligibility = row.get("eligibility_description", "")
        service.last_verified = (
            datetime.date.fromisoformat(row["assured_date"])
            if row.get("assured_date")
            else None
        )
        phones = by_service["phones"].get(row["id"], [])
        service.phone = phones[0]["number"] if phones else ""
        service.languages = ", ".join(
            r["name"] for r in by_service["languages"].get(row["id"], [])
        )
        service.required_documents = "\n".join(
            r["document"] for r in by_service["required_documents"].get(row["id"], [])
        )
        schedules = by_service["schedules"].get(row["id"], [])
        if schedules:
            service.opening_days = schedules[0].get("byday", "")
            service.opens_at = (
                datetime.time.fromisoformat(schedules[0]["opens_at"])
                if schedules[0].get("opens_at")
                else None
            )
            service.closes_at = (
                datetime.time.fromisoformat(schedules[0]["closes_at"])
                if schedules[0].get("closes_at")
                else None
            )
        location_id = location_of.get(row["id"])
        if location_id:
            service.location_uid = location_id
        if location_id in addresses:
            address = addresses[location_id]
            service.address = address.get("address_1", "")
            service.city = address.get("city", "")
            service.state_province = address.get("state_province", "")
            service.postal_code = address.get("postal_code", "")
            service.country = address.get("country", "") or "US"
        try:
            service.full_clean(exclude=["owner", "verified_by"])
        except ValidationError as error:
            # Reported like every other bad row; the atomic block stores nothing.
            raise hsds.HSDSInvalid(
                [f"services.csv row {number}: {' '.join(error.messages)}"]
            ) from None
        service.save()
        count += 1
    return count


def _keep_rows(tables: dict[str, list[dict]], organisations: dict) -> None:
    """Store every row as it came (empty cells left out), replacing the row of
    the same table and id from an earlier import."""
    scopes = tabular.scopes(tables)
    records = []
    for table, rows in tables.items():
        ids = [row["id"] for row in rows]
        for chunk in range(0, len(ids), 1000):
            HSDSRecord.objects.filter(
                table=table, hsds_id__in=ids[chunk : chunk + 1000]
            ).delete()
        for row in rows:
            service_ids, organization_id = scopes[(table, row["id"])]
            records.append(
                HSDSRecord(
                    table=table,
                    hsds_id=row["id"],
                    row={k: v for k, v in row.items() if k and v},
                    service_ids=service_ids,
                    organization_id=organization_id,
                    organisation=organisations.get(row["id"])
                    if table == "organizations"
                    else None,
                )
            )
    HSDSRecord.objects.bulk_create(records, batch_size=1000)


def directory_due_reminders(today: datetime.date) -> list[reminders.Due]:
    """A reminder to each stale entry's owner, at most once a calendar month
    (keyed on the first day of the month)."""

    def sender(service: DirectoryService):
        def send() -> None:
            send_email(
                "directory-stale",
                to=[service.owner.email],
                context={"service": service},
            )

        return send

    month = today.replace(day=1)
    return [
        reminders.Due(service, "directory.stale", month, sender(service))
        for service in DirectoryService.objects.stale(today)
        .filter(owner__isnull=False)
        .select_related("owner", "organisation")
    ]


def directory_stale_remind(*, today=None) -> int:
    """Remind each stale entry's owner, at most once a month."""
    return sum(
        reminders.send_all(
            directory_due_reminders(today or timezone.localdate())
        ).values()
    )
