"""Reads of the directory for its exports (writes are in services.py)."""

from __future__ import annotations

from django.db.models import QuerySet

from . import tabular
from .models import DirectoryService, HSDSRecord


def published_services() -> QuerySet[DirectoryService]:
    """What anyone may read: published services, with their organisation."""
    return DirectoryService.objects.published().select_related("organisation")


def records_for(services) -> list[HSDSRecord]:
    """The kept HSDS rows that go out with these services: each row that
    belongs to one of them, to the organisation of one of them (programs,
    funding, identifiers), or to no one (taxonomies). A row of a service that
    is not exported (unpublished, say) stays in."""
    uids = {str(service.uid) for service in services}
    records = list(HSDSRecord.objects.order_by("pk"))
    organisation_pks = {service.organisation_id for service in services}
    organisations = {
        r.organization_id
        for r in records
        if (r.table == "services" and r.hsds_id in uids)
        or (r.table == "organizations" and r.organisation_id in organisation_pks)
    }
    return [
        r
        for r in records
        if r.table in tabular.SHARED
        or (set(r.service_ids) & uids)
        or (not r.service_ids and r.organization_id in organisations)
    ]
