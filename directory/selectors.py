"""Reads of the directory for its exports (writes are in services.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from partnerships.models import Organisation

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


def api_services(
    *,
    search: str = "",
    organisation_pks: list[int] | None = None,
    modified_after=None,
    service_uids: list[str] | None = None,
) -> QuerySet[DirectoryService]:
    """Published services for the HSDS API, in a stable indexed order."""
    services = published_services()
    if search:
        services = services.filter(
            Q(name__icontains=search) | Q(description__icontains=search)
        )
    if organisation_pks is not None:
        services = services.filter(organisation_id__in=organisation_pks)
    if modified_after is not None:
        services = services.filter(updated_at__gte=modified_after)
    if service_uids is not None:
        services = services.filter(uid__in=service_uids)
    return services.order_by("name", "pk")


def api_organisations(*, search: str = "") -> QuerySet[Organisation]:
    """Organisations with at least one published service."""
    organisations = Organisation.objects.filter(
        pk__in=DirectoryService.objects.published().values("organisation_id")
    )
    if search:
        organisations = organisations.filter(name__icontains=search)
    return organisations.order_by("name", "pk")


def stored_rows(table: str, hsds_ids) -> dict[str, dict]:
    """The kept imported rows of one table, by HSDS id (one query)."""
    return dict(
        HSDSRecord.objects.filter(table=table, hsds_id__in=list(hsds_ids)).values_list(
            "hsds_id", "row"
        )
    )


def imported_organisations(organisation_pks) -> dict[int, tuple[str, dict]]:
    """Organisations that came from an import: pk -> (HSDS id, kept row)."""
    return {
        pk: (hsds_id, row)
        for pk, hsds_id, row in HSDSRecord.objects.filter(
            table="organizations", organisation_id__in=list(organisation_pks)
        ).values_list("organisation_id", "hsds_id", "row")
    }


def organisation_pks_for(hsds_id: str) -> list[int]:
    """The workspace organisation(s) behind an HSDS organization id: the one it
    was imported as, or the one whose built id it is."""
    imported = list(
        HSDSRecord.objects.filter(
            table="organizations", hsds_id=hsds_id, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )
    if imported:
        return imported
    from .hsds import _id

    return [
        pk
        for pk in api_organisations().values_list("pk", flat=True)
        if _id("organisation", pk) == hsds_id
    ]


def services_with_term(term_id: str) -> list[str]:
    """Ids of services an imported attribute files under a taxonomy term."""
    return [
        row.get("link_id", "")
        for row in HSDSRecord.objects.filter(
            table="attributes", row__taxonomy_term_id=term_id
        ).values_list("row", flat=True)
    ]
