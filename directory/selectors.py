"""Reads of the directory for its exports (writes are in services.py)."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    ExpressionWrapper,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)

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


# Words people use for a category's needs, searched with the service's own words
# ("help paying rent" finds a housing service that never says "rent").
CATEGORY_WORDS = {
    "housing": "housing rent eviction shelter homeless home utilities landlord",
    "health": "health doctor clinic medical care medicine insurance dental",
    "food": "food meals groceries hunger pantry nutrition",
    "family": "family parenting children childcare parents",
    "youth": "youth young teens mentoring school",
    "income": "income money benefits bills debt job work employment",
    "legal": "legal lawyer court rights immigration",
    "other": "",
}
# Filler in a request for help that would match every service.
FILLER = {"help", "need", "needs", "find", "get", "with", "for", "and", "the", "a"}
MAX_TERMS = 8


def search_terms(query: str) -> list[str]:
    """The words of a search, lowercased, filler dropped (unless nothing else
    is left), at most MAX_TERMS."""
    words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1]
    kept = [w for w in words if w not in FILLER] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


def stem(word: str) -> str:
    """A light English stem for the SQLite fallback ("paying" → "pay",
    "rents" → "rent", "assistance" → "assist"); PostgreSQL stems itself."""
    for suffix in ("ance", "ence", "ing", "ies", "ied", "ers", "ed", "es", "er", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _category_words():
    return Case(
        *(When(category=c, then=Value(words)) for c, words in CATEGORY_WORDS.items()),
        default=Value(""),
        output_field=CharField(),
    )


def find_help(query: str) -> QuerySet[DirectoryService]:
    """Published services matching a free-text need, best first: full-text
    search with stemming on PostgreSQL, stems matched within words elsewhere.
    Names count most, then categories and taxonomy terms, then descriptions."""
    services = published_services().annotate(category_words=_category_words())
    terms = search_terms(query)
    if not terms:
        return services.none()
    if connection.vendor == "postgresql":
        return _find_help_postgresql(services, terms)
    match = Q()
    rank = Value(0)
    for term in map(stem, terms):
        in_name = Q(name__icontains=term)
        in_terms = Q(category_words__icontains=term) | Q(taxonomy_terms__icontains=term)
        in_text = Q(description__icontains=term) | Q(eligibility__icontains=term)
        match |= in_name | in_terms | in_text
        rank = (
            rank
            + Case(When(in_name, then=Value(4)), default=Value(0))
            + Case(When(in_terms, then=Value(2)), default=Value(0))
            + Case(When(in_text, then=Value(1)), default=Value(0))
        )
    return (
        services.filter(match)
        .annotate(rank=ExpressionWrapper(rank, output_field=IntegerField()))
        .order_by("-rank", "name", "pk")
    )


# The words PostgreSQL searches, as indexed (migration 0006: a GIN index on this
# very expression, so the match is an index scan and only matches are ranked).
SEARCH_DOCUMENT = ("name", "description", "eligibility", "taxonomy_terms")


def search_document():
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*SEARCH_DOCUMENT, config="english")


def categories_for(terms: list[str]) -> list[str]:
    """Categories whose people's words ("rent", "eviction") a search uses."""
    stems = {stem(term) for term in terms}
    return [
        category
        for category, words in CATEGORY_WORDS.items()
        if any(
            stem(word).startswith(s) or s.startswith(stem(word))
            for word in words.split()
            for s in stems
        )
    ]


def _find_help_postgresql(services, terms: list[str]):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    search = SearchQuery(terms[0], config="english")
    for term in terms[1:]:
        search |= SearchQuery(term, config="english")
    categories = categories_for(terms)
    weighted = (
        SearchVector("name", weight="A", config="english")
        + SearchVector("category_words", "taxonomy_terms", weight="B", config="english")
        + SearchVector("description", "eligibility", weight="C", config="english")
    )
    return (
        services.annotate(document=search_document())
        .filter(Q(document=search) | Q(category__in=categories))
        .annotate(rank=SearchRank(weighted, search))
        .order_by("-rank", "name", "pk")
    )
