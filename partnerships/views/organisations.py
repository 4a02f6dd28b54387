"""An organisation's own people: its administrators add and remove colleagues and
decide on the people that partnership coordinators propose to act for it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from .. import permissions, services
from ..models import Invitation, Membership, Organisation
from .base import breadcrumbs


def _organisation_for(user, pk: int) -> Organisation:
    """Members see their organisation's page; nobody else learns it exists here."""
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None or not (
        user.is_staff
        or organisation.pk
        in permissions.organisations_of(user).values_list("pk", flat=True)
    ):
        raise Http404("No such organisation.")
    return organisation


def _organisation_url(organisation: Organisation) -> str:
    return reverse("partnerships:organisation", args=[organisation.pk])


@require_safe
def organisation_people(request, pk):
    organisation = _organisation_for(request.user, pk)
    administers = permissions.can_administer_organisation(request.user, organisation)
    members = organisation.memberships.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__username"
    )
    proposals = []
    if administers:
        proposals = list(
            Invitation.objects.filter(
                organisation=organisation,
                approved_at__isnull=True,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            )
            .select_related("partnership", "invited_by")
            .order_by("created_at")[:100]
        )
    return render(
        request,
        "partnerships/organisation.html",
        {
            "organisation": organisation,
            "members": members[:500],
            "member_count": members.count(),
            "administers": administers,
            "proposals": proposals,
            "page_title": organisation.name,
            "breadcrumbs_items": breadcrumbs(
                (_organisation_url(organisation), organisation.name)
            ),
        },
    )


def _decide(request, pk, invitation_pk, decide, done: str):
    organisation = _organisation_for(request.user, pk)
    invitation = get_object_or_404(
        Invitation.objects.select_related("partnership", "organisation"),
        pk=invitation_pk,
        organisation=organisation,
    )
    try:
        decide(invitation=invitation, by=request.user)
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(email=invitation.email))
    return HttpResponseRedirect(_organisation_url(organisation))


@require_POST
def proposal_approve(request, pk, invitation_pk):
    return _decide(
        request,
        pk,
        invitation_pk,
        services.invitation_approve,
        "Confirmed: {email} has been sent the invitation.",
    )


@require_POST
def proposal_decline(request, pk, invitation_pk):
    return _decide(
        request,
        pk,
        invitation_pk,
        services.invitation_decline,
        "Declined: {email} will not act for your organisation.",
    )


@require_POST
def membership_change(request, pk, membership_pk):
    organisation = _organisation_for(request.user, pk)
    if not permissions.can_administer_organisation(request.user, organisation):
        raise PermissionDenied
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk=membership_pk,
        organisation=organisation,
    )
    action = request.POST.get("action", "")
    changes = {
        "make_admin": {"is_admin": True},
        "revoke_admin": {"is_admin": False},
        "make_leadership": {"is_leadership": True},
        "make_member": {"is_leadership": False},
    }
    try:
        if action == "remove":
            services.membership_remove(membership=membership, by=request.user)
        elif action in changes:
            services.membership_update(
                membership=membership, by=request.user, **changes[action]
            )
        else:
            messages.error(request, "Choose what to change.")
            return HttpResponseRedirect(_organisation_url(organisation))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Saved.")
    return HttpResponseRedirect(_organisation_url(organisation))
