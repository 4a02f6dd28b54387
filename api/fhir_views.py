"""FHIR R4 endpoints for referrals (Gravity SDOH Clinical Care): the two
organisations' systems read each referral as ServiceRequest, Task, Consent and
Patient, and the receiver's system moves it with a Task update, through the
same referral services (same rules, same history) as the workspace's form."""

from __future__ import annotations

import datetime
import json

from django.http import Http404, JsonResponse
from django.urls import reverse

from partnerships import permissions
from referrals import services as referral_services
from referrals.models import Referral

from . import fhir
from .auth import ApiError, token_view

FHIR_JSON = "application/fhir+json"
PER_PAGE = 50
MAX_PER_PAGE = 200


def _answer(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, content_type=FHIR_JSON)


def _outcome(refusal: ApiError) -> JsonResponse:
    return _answer(
        fhir.operation_outcome(refusal.message, refusal.code), refusal.status
    )


def fhir_view(methods=None):
    return token_view(_outcome, methods)


def _referral(request, pk: str) -> Referral:
    """A referral the token's organisation sent or received; any other looks
    unknown (404), whoever holds the token."""
    if not pk.isdigit():
        raise Http404("No such referral.")
    user = request.api_user
    referral = (
        permissions.referrals_visible_to(user, Referral.objects.all())
        .select_related("partnership", "sender", "receiver")
        .filter(pk=int(pk))
        .first()
    )
    if referral is None or not permissions.referral_sides(user, referral):
        raise Http404("No such referral.")
    return referral


def _details(request, referral: Referral) -> bool:
    return permissions.can_see_referral_details(request.api_user, referral)


def _base(request) -> str:
    return request.build_absolute_uri(reverse("fhir_api:base")).rstrip("/")


@fhir_view()
def base(request):
    """What this endpoint serves (a small CapabilityStatement)."""
    return _answer(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": datetime.date.today().isoformat(),
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "resource": [
                        {
                            "type": kind,
                            "interaction": [{"code": "read"}]
                            + (
                                [{"code": "update"}, {"code": "search-type"}]
                                if kind == "Task"
                                else []
                            ),
                        }
                        for kind in ("ServiceRequest", "Task", "Consent", "Patient")
                    ],
                }
            ],
        }
    )


def _number(request, name: str, default: int) -> int:
    value = request.GET.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ApiError(400, f"{name} must be a whole number from 1.", "value")
    return int(value)


@fhir_view()
def tasks(request):
    """The token's organisation's referrals as Tasks, newest change first;
    `_lastUpdated=ge<instant>` asks only for those changed since."""
    user = request.api_user
    referrals = permissions.referrals_visible_to(user, Referral.objects.all())
    since = request.GET.get("_lastUpdated", "")
    if since:
        value = since[2:] if since[:2] in ("ge", "gt") else since
        try:
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ApiError(
                400, "_lastUpdated must be ge<ISO 8601 date-time>.", "value"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        lookup = "updated_at__gt" if since.startswith("gt") else "updated_at__gte"
        referrals = referrals.filter(**{lookup: moment})
    count = min(_number(request, "_count", PER_PAGE), MAX_PER_PAGE)
    page = _number(request, "_page", 1)
    referrals = referrals.select_related("partnership", "sender", "receiver").order_by(
        "-updated_at", "-pk"
    )
    total = referrals.count()
    rows = list(referrals[(page - 1) * count : page * count])
    # One partnership object per partnership, so the policy asks who takes
    # part once per partnership on the page, not once per referral.
    shared = {}
    for row in rows:
        row.partnership = shared.setdefault(row.partnership_id, row.partnership)
    url = request.build_absolute_uri(request.path)
    query = f"_count={count}" + (f"&_lastUpdated={since}" if since else "")
    links = {"self": f"{url}?{query}&_page={page}"}
    if page * count < total:
        links["next"] = f"{url}?{query}&_page={page + 1}"
    entries = [fhir.task(r, details=_details(request, r)) for r in rows]
    return _answer(fhir.bundle(entries, base=_base(request), total=total, links=links))


@fhir_view(methods={"GET", "HEAD", "PUT"})
def task(request, pk: str):
    """Read a referral's Task; PUT a Task with a new status (and the reason
    where one is needed) to move the referral."""
    referral = _referral(request, pk)
    if request.method == "PUT":
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The body is not JSON.", "structure") from None
        try:
            status, reason = fhir.task_update(data, task_id=pk)
        except fhir.Invalid as error:
            raise ApiError(400, str(error), "invalid") from None
        if status != referral.status:
            referral = referral_services.referral_move(
                referral=referral, by=request.api_user, status=status, reason=reason
            )
        referral = _referral(request, pk)
    return _answer(fhir.task(referral, details=_details(request, referral)))


@fhir_view()
def service_request(request, pk: str):
    referral = _referral(request, pk)
    details = _details(request, referral)
    if details:
        referral_services.referral_viewed(referral=referral, by=request.api_user)
    fields = getattr(
        getattr(referral.partnership, "referral_protocol", None), "fields", []
    )
    return _answer(fhir.service_request(referral, details=details, fields=fields))


@fhir_view()
def consent(request, pk: str):
    """The client's consent: a client detail, shared while consent stands."""
    referral = _referral(request, pk)
    if not referral.consent_given:
        raise Http404("No consent was recorded for this referral.")
    if not _details(request, referral):
        raise ApiError(
            403, "The client's details are not shared: consent is over.", "forbidden"
        )
    return _answer(fhir.consent(referral))


@fhir_view()
def patient(request, pk: str):
    """The client, minimally: only while consent stands."""
    referral = _referral(request, pk)
    if not _details(request, referral):
        raise ApiError(
            403, "The client's details are not shared: consent is over.", "forbidden"
        )
    referral_services.referral_viewed(referral=referral, by=request.api_user)
    system = request.build_absolute_uri(
        reverse("fhir_api:base") + f"identifiers/organisation/{referral.sender_id}"
    )
    return _answer(fhir.patient(referral, identifier_system=system))
