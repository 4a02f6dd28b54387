"""The partnership workspace: screens inside the Wagtail admin for partner staff.

Every view looks its partnership up through permissions.get_partnership_for, so
the access policy decides what exists for the user."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from .. import permissions, selectors, services
from ..forms import (
    CommitmentForm,
    InvitationForm,
    PartnershipCreateForm,
    PartnershipForm,
    RoleForm,
)
from ..models import (
    Invitation,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    SustainabilityCommitment,
)
from .base import (
    breadcrumbs,
    form_page,
    paginate,
    section_context,
    section_url_name,
)

User = get_user_model()


@require_safe
def partnership_index(request):
    """The partnerships the user's organisations take part in."""
    partnerships = permissions.visible_partnerships(request.user)
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if query:
        partnerships = partnerships.filter(
            Q(name__icontains=query)
            | Q(purpose__icontains=query)
            | Q(participations__organisation__name__icontains=query)
        ).distinct()
    if status in Partnership.Status.values:
        partnerships = partnerships.filter(status=status)
    partnerships = (
        partnerships.annotate(partner_count=Count("participations", distinct=True))
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.filter(
                    role=Participation.Role.LEAD
                ).select_related("organisation"),
            )
        )
        .order_by("name", "pk")
    )
    page = paginate(request, partnerships)
    return render(
        request,
        "partnerships/index.html",
        {
            "page_obj": page,
            "query": query,
            "status": status,
            "statuses": Partnership.Status.choices,
            "can_create": permissions.can_create_partnership(request.user),
            "page_title": "Partnerships",
            "breadcrumbs_items": breadcrumbs(),
        },
    )


def partnership_create(request):
    if not permissions.can_create_partnership(request.user):
        raise PermissionDenied
    if request.user.is_staff:
        lead_choices = Organisation.objects.all()
    else:
        lead_choices = Organisation.objects.filter(
            pk__in=permissions.editing_org_ids_of(request.user)
        )
    form = PartnershipCreateForm(request.POST or None, lead_choices=lead_choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partnership, invitations = services.partnership_start(
                by=request.user,
                lead=data["lead"],
                partners=data["partners"],
                coordinator_signs=data["coordinator_signs"],
                **{name: data[name] for name in PartnershipForm.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _started_message(partnership, invitations))
            return HttpResponseRedirect(partnership.get_absolute_url())
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "page_title": "New partnership",
            "submit_label": "Create partnership",
            "breadcrumbs_items": breadcrumbs(),
        },
    )


def _started_message(partnership, invitations) -> str:
    if not invitations:
        return f"“{partnership.name}” is ready. Invite your partner organisations next."
    sent = [i for i in invitations if i.is_approved]
    waiting = [i for i in invitations if not i.is_approved]
    parts = [f"“{partnership.name}” is ready."]
    if sent:
        parts.append("Invitations sent to " + ", ".join(i.email for i in sent) + ".")
    if waiting:
        parts.append(
            "Waiting for their organisation's administrators to confirm "
            + ", ".join(i.email for i in waiting)
            + "."
        )
    return " ".join(parts)


@require_safe
def partnership_detail(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    context = section_context(request, partnership, "overview")
    participations = list(selectors.participations(partnership))
    context.update(
        participations=participations,
        recent_history=selectors.partnership_history(partnership)[:5],
        status_moves=selectors.status_moves(partnership, request.user),
    )
    return render(request, "partnerships/detail.html", context)


@require_POST
def partnership_status(request, pk):
    """Move the partnership's status (the buttons on its overview)."""
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    try:
        services.partnership_move(
            partnership=partnership,
            by=request.user,
            move=request.POST.get("move", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"The partnership is now {partnership.get_status_display()}."
        )
    return HttpResponseRedirect(partnership.get_absolute_url())


@require_safe
def partnership_partners(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    context = section_context(request, partnership, "partners")
    editable = permissions.editing_organisations(request.user, partnership)
    participations = list(selectors.participations(partnership))
    administered = permissions.administered_org_ids(request.user)
    for participation in participations:
        participation.user_may_edit = (
            context["can_coordinate"] or participation.organisation_id in editable
        )
        participation.user_administers = (
            request.user.is_staff or participation.organisation_id in administered
        )
    invitations = []
    if context["can_coordinate"]:
        invitations = list(
            partnership.invitations.filter(
                accepted_at__isnull=True, revoked_at__isnull=True
            ).select_related("organisation", "invited_by")[:50]
        )
    context.update(
        participations=participations,
        invitations=invitations,
        commitment_form=CommitmentForm(),
    )
    return render(request, "partnerships/partners.html", context)


@require_safe
def partnership_section(request, pk, section, rest=""):
    """/admin/partnerships/<pk>/<section>/… leads to the section's own page (and
    the same page below it), so links sent before a section moved to its app
    keep working."""
    url_name = section_url_name(section)
    if url_name is None:
        raise Http404("No such section.")
    partnership = permissions.get_partnership_for(request.user, pk)
    return HttpResponseRedirect(reverse(url_name, args=[partnership.pk]) + rest)


@require_safe
def partnership_history(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    context = section_context(request, partnership, "history")
    context["page_obj"] = paginate(
        request, selectors.partnership_history(partnership), per_page=50
    )
    return render(request, "partnerships/history.html", context)


def partnership_edit(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    form = PartnershipForm(request.POST or None, instance=partnership)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        # The form has already written onto the instance; reload so the service
        # can tell what changed.
        partnership.refresh_from_db()
        services.partnership_update(partnership=partnership, by=request.user, **data)
        messages.success(request, "Partnership details saved.")
        return HttpResponseRedirect(partnership.get_absolute_url())
    return form_page(
        request,
        partnership,
        form,
        title=f"Edit {partnership.name}",
        submit_label="Save",
        cancel_url=partnership.get_absolute_url(),
    )


def partnership_invite(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = False
            if data["organisation"]:
                organisation = data["organisation"]
            else:
                organisation, created = services.organisation_get_or_create(
                    name=data["new_organisation"], by=request.user
                )
            invitation = services.invitation_create(
                partnership=partnership,
                organisation=organisation,
                email=data["email"],
                role=data["role"],
                message=data["message"],
                partner_role=data["partner_role"],
                by=request.user,
                founding=created,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if invitation.is_approved:
                messages.success(
                    request,
                    f"Invitation sent to {invitation.email} for "
                    f"{invitation.organisation.name}.",
                )
            else:
                messages.success(
                    request,
                    f"{invitation.organisation.name} takes part in the partnership. "
                    f"Its administrators have been asked to confirm that "
                    f"{invitation.email} acts for it; the invitation goes out once "
                    "they do.",
                )
            return HttpResponseRedirect(
                reverse("partnerships:partners", args=[partnership.pk])
            )
    return form_page(
        request,
        partnership,
        form,
        title="Invite a partner",
        intro=(
            "Invite an organisation and the person who will act for "
            "it. For a new organisation, that person becomes its first "
            "administrator. For an organisation already in the workspace, its "
            "administrators confirm the person first (unless you administer it "
            "yourself). The e-mailed link works once and expires after 7 days."
        ),
        submit_label="Send invitation",
        cancel_url=reverse("partnerships:partners", args=[partnership.pk]),
    )


def _partners_url(partnership):
    return reverse("partnerships:partners", args=[partnership.pk])


@require_POST
def invitation_revoke(request, pk, invitation_pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    invitation = get_object_or_404(
        Invitation, pk=invitation_pk, partnership=partnership, accepted_at__isnull=True
    )
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    return HttpResponseRedirect(_partners_url(partnership))


@require_POST
def participation_remove(request, pk, participation_pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    participation = get_object_or_404(
        Participation.objects.select_related("organisation"),
        pk=participation_pk,
        partnership=partnership,
    )
    try:
        services.participation_remove(participation=participation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{participation.organisation.name} left the partnership."
        )
    return HttpResponseRedirect(_partners_url(partnership))


def role_assign(request, pk, participation_pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    participation = get_object_or_404(
        Participation.objects.select_related("organisation"),
        pk=participation_pk,
        partnership=partnership,
    )
    people = User.objects.filter(
        memberships__organisation=participation.organisation, is_active=True
    ).order_by("last_name", "first_name", "username")
    # From the MOU checklist: "Name a signatory for …" arrives with the role.
    role = request.GET.get("role")
    form = RoleForm(
        request.POST or None,
        people=people,
        initial={"role": role} if role in PartnershipRole.Role.values else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.role_assign(
                participation=participation,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Role assigned.")
            return HttpResponseRedirect(_partners_url(partnership))
    return form_page(
        request,
        partnership,
        form,
        title=f"Assign a role for {participation.organisation.name}",
        intro=(
            "Only people who work for the organisation can act for it. "
            "To add someone new, invite them."
        ),
        submit_label="Assign",
        cancel_url=_partners_url(partnership),
    )


@require_POST
def role_remove(request, pk, role_pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    assigned = get_object_or_404(
        PartnershipRole.objects.select_related("user", "participation__organisation"),
        pk=role_pk,
        participation__partnership=partnership,
    )
    try:
        services.role_remove(assigned=assigned, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Role removed.")
    return HttpResponseRedirect(_partners_url(partnership))


def _participation_for_editing(request, partnership, participation_pk):
    participation = get_object_or_404(
        Participation.objects.select_related("organisation"),
        pk=participation_pk,
        partnership=partnership,
    )
    if not (
        permissions.can_coordinate(request.user, partnership)
        or participation.organisation_id
        in permissions.editing_organisations(request.user, partnership)
    ):
        raise PermissionDenied
    return participation


def commitment_add(request, pk, participation_pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="edit")
    participation = _participation_for_editing(request, partnership, participation_pk)
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_add(
                participation=participation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Pledge recorded.")
            return HttpResponseRedirect(_partners_url(partnership))
    return form_page(
        request,
        partnership,
        form,
        title=f"What {participation.organisation.name} pledges",
        intro=(
            "Staff time, funding, in-kind resources and a leadership "
            "sponsor keep a partnership alive beyond its first year."
        ),
        submit_label="Record pledge",
        cancel_url=_partners_url(partnership),
    )


@require_POST
def commitment_remove(request, pk, commitment_pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="edit")
    commitment = get_object_or_404(
        SustainabilityCommitment.objects.select_related("participation__organisation"),
        pk=commitment_pk,
        participation__partnership=partnership,
    )
    _participation_for_editing(request, partnership, commitment.participation_id)
    services.commitment_remove(commitment=commitment, by=request.user)
    messages.success(request, "Pledge withdrawn.")
    return HttpResponseRedirect(_partners_url(partnership))
