"""The HSDS 3.0 API (Open Referral's OpenAPI): read-only and public, for 211
directories and aggregators. It shows what the public "find help" page shows,
published services and their organisations, never anything of referrals.
Lists come in the standard's page envelope, a fixed number of queries a page
whatever the directory's size."""

from __future__ import annotations

import datetime
import math
import uuid

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from . import hsds, selectors, tabular
from .models import HSDSRecord

VERSION = "3.0"
PROFILE = "https://specs.openreferral.org/en/latest/"
OPENAPI = (
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
    "openapi.json"
)
PER_PAGE = 50
MAX_PER_PAGE = 200


class BadRequest(Exception):
    pass


def _answer(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"indent": 1})
    # Public data: anyone may fetch it from a browser-based aggregator.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _number(request, name: str, default: int) -> int:
    value = request.GET.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise BadRequest(f"{name} must be a whole number from 1.")
    return int(value)


def _page(request, queryset, item) -> dict:
    """The standard's page envelope around one page of `queryset`."""
    per_page = min(_number(request, "per_page", PER_PAGE), MAX_PER_PAGE)
    page = _number(request, "page", 1)
    total = queryset.count()
    pages = max(1, math.ceil(total / per_page))
    rows = list(queryset[(page - 1) * per_page : page * per_page])
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(rows),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": total == 0,
        "contents": item(rows),
    }


def _guarded(view):
    """Refuse a malformed query with 400 and its reason, not a 500."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as error:
            return _answer({"error": str(error)}, status=400)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_safe(wrapped)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _service_items(services) -> list[dict]:
    """Services with their one-to-one fields and organisation (HSDS
    service_list), in three queries for the whole page."""
    stored = selectors.stored_rows("services", (str(s.uid) for s in services))
    imported = selectors.imported_organisations({s.organisation_id for s in services})
    org_ids = {pk: hsds_id for pk, (hsds_id, _) in imported.items()}
    items = []
    for service in services:
        row = hsds.service_row(
            service, stored=stored.get(str(service.uid)), org_ids=org_ids
        )
        item = tabular.typed_row("services", row)
        organisation = imported.get(service.organisation_id, (None, None))[1]
        item["organization"] = tabular.typed_row(
            "organizations",
            hsds.organization_row(service.organisation, stored=organisation),
        )
        items.append(item)
    return items


def _organisation_items(organisations) -> list[dict]:
    imported = selectors.imported_organisations(o.pk for o in organisations)
    return [
        tabular.typed_row(
            "organizations",
            hsds.organization_row(o, stored=imported.get(o.pk, (None, None))[1]),
        )
        for o in organisations
    ]


@_guarded
def api_index(request):
    """What this API is: its HSDS version and profile."""
    return _answer(
        {
            "version": VERSION,
            "profile": PROFILE,
            "openapi_url": OPENAPI,
            "services_url": request.build_absolute_uri(reverse("hsds_api:services")),
        }
    )


@_guarded
def api_services(request):
    """Published services, a page at a time; `search` (or `q`),
    `organization_id`, `taxonomy_term_id`, `taxonomy_id` and `modified_after`
    narrow them."""
    organisation = request.GET.get("organization_id", "")
    term = request.GET.get("taxonomy_term_id", "")
    taxonomy = request.GET.get("taxonomy_id", "")
    since = request.GET.get("modified_after", "")
    modified_after = None
    if since:
        try:
            modified_after = datetime.datetime.fromisoformat(
                since.replace("Z", "+00:00")
            )
        except ValueError:
            raise BadRequest("modified_after must be an ISO 8601 date-time.") from None
        if modified_after.tzinfo is None:
            modified_after = modified_after.replace(tzinfo=datetime.UTC)
    services = selectors.api_services(
        search=(request.GET.get("search") or request.GET.get("q") or "").strip(),
        organisation_pks=selectors.organisation_pks_for(organisation)
        if organisation
        else None,
        modified_after=modified_after,
        service_uids=_services_filed_under(term, taxonomy)
        if term or taxonomy
        else None,
    )
    return _answer(_page(request, services, _service_items))


@_guarded
def api_service(request, hsds_id: str):
    """One published service, fully nested (HSDS service)."""
    service = None
    if _is_uuid(hsds_id):
        service = selectors.api_services().filter(uid=hsds_id).first()
    if service is None:
        raise Http404("No such published service.")
    imported = selectors.imported_organisations([service.organisation_id])
    org_ids = {pk: hsds_id for pk, (hsds_id, _) in imported.items()}
    return _answer(hsds.service_json(service, org_ids=org_ids))


@_guarded
def api_organisations(request):
    """Organisations that offer a published service, a page at a time."""
    organisations = selectors.api_organisations(
        search=(request.GET.get("search") or request.GET.get("q") or "").strip()
    )
    return _answer(_page(request, organisations, _organisation_items))


@_guarded
def api_organisation(request, hsds_id: str):
    """One organisation that offers a published service."""
    pks = selectors.organisation_pks_for(hsds_id)
    organisation = selectors.api_organisations().filter(pk__in=pks).first()
    if organisation is None:
        raise Http404("No such organisation in the public directory.")
    return _answer(_organisation_items([organisation])[0])


def _services_filed_under(term: str, taxonomy: str) -> list[str]:
    """Ids of services an imported attribute files under the term, or under
    any term of the taxonomy (both, when both are asked)."""
    attributes = HSDSRecord.objects.filter(table="attributes")
    if term:
        attributes = attributes.filter(row__taxonomy_term_id=term)
    if taxonomy:
        terms = HSDSRecord.objects.filter(
            table="taxonomy_terms", row__taxonomy_id=taxonomy
        ).values_list("hsds_id", flat=True)
        attributes = attributes.filter(row__taxonomy_term_id__in=list(terms))
    ids = attributes.values_list("row__link_id", flat=True)
    return [str(u) for u in ids if u and _is_uuid(str(u))]


def _records(table: str, request):
    """Kept rows of a taxonomy table, `search` (or `q`) in their names."""
    records = HSDSRecord.objects.filter(table=table).order_by("pk")
    search = (request.GET.get("search") or request.GET.get("q") or "").strip()
    if search:
        records = records.filter(row__name__icontains=search)
    return records


def _record_items(table: str):
    def items(records) -> list[dict]:
        return [tabular.typed_row(table, r.row) for r in records]

    return items


def _record(table: str, hsds_id: str) -> dict:
    record = HSDSRecord.objects.filter(table=table, hsds_id=hsds_id).first()
    if record is None:
        raise Http404("No such taxonomy entry.")
    return tabular.typed_row(table, record.row)


@_guarded
def api_taxonomies(request):
    """The taxonomies the directory's terms come from, a page at a time."""
    records = _records("taxonomies", request)
    return _answer(_page(request, records, _record_items("taxonomies")))


@_guarded
def api_taxonomy(request, hsds_id: str):
    return _answer(_record("taxonomies", hsds_id))


@_guarded
def api_taxonomy_terms(request):
    """Taxonomy terms, a page at a time; `taxonomy_id`, `parent_id` and
    `top_only` (terms without a parent) narrow them."""
    records = _records("taxonomy_terms", request)
    if request.GET.get("taxonomy_id"):
        records = records.filter(row__taxonomy_id=request.GET["taxonomy_id"])
    if request.GET.get("parent_id"):
        records = records.filter(row__parent_id=request.GET["parent_id"])
    top_only = request.GET.get("top_only", "")
    if top_only not in ("", "true", "false"):
        raise BadRequest("top_only must be true or false.")
    if top_only == "true":
        records = records.filter(row__parent_id__isnull=True)
    return _answer(_page(request, records, _record_items("taxonomy_terms")))


@_guarded
def api_taxonomy_term(request, hsds_id: str):
    return _answer(_record("taxonomy_terms", hsds_id))
