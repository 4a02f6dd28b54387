"""The read API for partners' own reporting tools: partnerships and what
hangs off them, a page at a time, for the token's organisation through the
one access policy. The OpenAPI document describing it is public."""

from __future__ import annotations

import datetime
import math
from urllib.parse import urlencode

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from . import openapi
from .auth import ApiError, token_view
from .resources import BY_NAME, RESOURCES

PER_PAGE = 50
MAX_PER_PAGE = 200


def _answer(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"indent": 1})


def _error(refusal: ApiError) -> JsonResponse:
    return _answer({"error": refusal.message}, refusal.status)


def _number(request, name: str, default: int) -> int:
    value = request.GET.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ApiError(400, f"{name} must be a whole number from 1.")
    return int(value)


def _since(request) -> datetime.datetime | None:
    value = request.GET.get("modified_since", "")
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400, "modified_since must be an ISO 8601 date or date-time."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def page_of(resource, user, params) -> tuple[list, int]:
    """One page of the resource's rows the user sees, and how many there are."""
    rows = resource.visible_to(user)
    if params.get("partnership"):
        rows = rows.filter(**{resource.partnership: params["partnership"]})
    if params.get("since"):
        rows = rows.filter(resource.modified(params["since"]))
    rows = rows.order_by("pk")
    total = rows.count()
    start = (params["page"] - 1) * params["per_page"]
    return list(rows[start : start + params["per_page"]]), total


@token_view(_error)
def index(request):
    """Where each resource is."""
    return _answer(
        {
            "openapi": request.build_absolute_uri(reverse("read_api:openapi")),
            "resources": {
                r.name: request.build_absolute_uri(reverse(f"read_api:{r.name}"))
                for r in RESOURCES
            },
        }
    )


def _list(request, name: str):
    resource = BY_NAME[name]
    partnership = request.GET.get("partnership", "")
    if partnership and not partnership.isdigit():
        raise ApiError(400, "partnership must be a partnership's id.")
    params = {
        "page": _number(request, "page", 1),
        "per_page": min(_number(request, "per_page", PER_PAGE), MAX_PER_PAGE),
        "since": _since(request),
        "partnership": int(partnership) if partnership else None,
    }
    rows, total = page_of(resource, request.api_user, params)
    pages = max(1, math.ceil(total / params["per_page"]))
    base = request.build_absolute_uri(request.path)

    def link(page):
        if not 1 <= page <= pages:
            return None
        query = {k: v for k, v in request.GET.items() if k != "page"}
        return f"{base}?{urlencode({**query, 'page': page})}"

    return _answer(
        {
            "count": total,
            "page": params["page"],
            "per_page": params["per_page"],
            "total_pages": pages,
            "next": link(params["page"] + 1),
            "previous": link(params["page"] - 1) if params["page"] > 1 else None,
            "results": [resource.item(row) for row in rows],
        }
    )


def _detail(request, name: str, pk: int):
    resource = BY_NAME[name]
    row = resource.visible_to(request.api_user).filter(pk=pk).first()
    if row is None:
        raise Http404(f"No such {name[:-1].replace('-', ' ')}.")
    return _answer(resource.item(row))


list_view = token_view(_error)(_list)
detail_view = token_view(_error)(_detail)


@require_safe
def openapi_document(request):
    """The OpenAPI 3.1 document of this API (public: it describes, it holds no
    data)."""
    server = request.build_absolute_uri(reverse("read_api:index")).rstrip("/")
    return _answer(openapi.document(server=server))
