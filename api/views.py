"""Admin screens where an organisation's administrators issue, rotate and
revoke its API tokens and see each token's use."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partnerships import permissions
from partnerships.models import Organisation
from partnerships.views.base import breadcrumbs

from . import services
from .models import ApiToken


def _organisations(user):
    """Organisations whose tokens the user manages."""
    if user.is_staff:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=permissions.administered_org_ids(user))


def _token(request, pk: int) -> ApiToken:
    token = (
        ApiToken.objects.select_related("organisation", "user")
        .filter(pk=pk, organisation__in=_organisations(request.user))
        .first()
    )
    if token is None:
        raise Http404("No such token.")
    return token


def tokens(request):
    """The tokens of the organisations the user administers; a new key is
    shown once, when it is issued or rotated."""
    organisations = list(_organisations(request.user).order_by("name")[:200])
    new_key = None
    if request.method == "POST":
        organisation = next(
            (o for o in organisations if str(o.pk) == request.POST.get("organisation")),
            None,
        )
        if organisation is None:
            raise PermissionDenied("You do not administer that organisation.")
        try:
            token, new_key = services.token_create(
                organisation=organisation,
                by=request.user,
                name=request.POST.get("name", ""),
                scope=request.POST.get("scope", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Token “{token.name}” issued.")
    listed = ApiToken.objects.filter(organisation__in=organisations).select_related(
        "organisation"
    )
    return render(
        request,
        "api/tokens.html",
        {
            "page_title": "API tokens",
            "breadcrumbs_items": breadcrumbs(),
            "organisations": organisations,
            "tokens": listed,
            "new_key": new_key,
            "scopes": ApiToken.Scope.choices,
        },
    )


@require_POST
def token_rotate(request, pk: int):
    token = _token(request, pk)
    try:
        key = services.token_rotate(token=token, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("api_tokens:index")
    return render(
        request,
        "api/tokens.html",
        {
            "page_title": "API tokens",
            "breadcrumbs_items": breadcrumbs(),
            "organisations": list(_organisations(request.user).order_by("name")[:200]),
            "tokens": ApiToken.objects.filter(
                organisation__in=_organisations(request.user)
            ).select_related("organisation"),
            "new_key": key,
            "scopes": ApiToken.Scope.choices,
        },
    )


@require_POST
def token_revoke(request, pk: int):
    token = _token(request, pk)
    try:
        services.token_revoke(token=token, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api_tokens:index")


def token_uses(request, pk: int):
    """The token's most recent uses."""
    token = _token(request, pk)
    return render(
        request,
        "api/token_uses.html",
        {
            "page_title": f"Use of {token.name}",
            "breadcrumbs_items": breadcrumbs(),
            "token": token,
            "uses": token.uses.all()[:200],
        },
    )
