"""Views reached without logging in to the workspace, each guarded by a signed
token: accepting an invitation."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import services
from .forms import AcceptInvitationForm

User = get_user_model()


def _invalid(request, problem):
    """An expired, used or withdrawn link: 410, saying which and what to do."""
    return render(
        request,
        "partnerships/invitation_invalid.html",
        {"problem": str(problem)},
        status=410,
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationInvalid as problem:
        return _invalid(request, problem)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    context = {"invitation": invitation, "existing": existing}

    if existing is not None:
        # Someone who already has an account accepts while logged in as themselves.
        signed_in_as_invitee = request.user.is_authenticated and (
            request.user.pk == existing.pk
        )
        context["signed_in_as_invitee"] = signed_in_as_invitee
        if request.method == "POST" and signed_in_as_invitee:
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except services.InvitationInvalid as problem:
                return _invalid(request, problem)
            messages.success(
                request, f"You have joined the {invitation.partnership.name}."
            )
            return HttpResponseRedirect(
                reverse("partnerships:detail", args=[invitation.partnership_id])
            )
        context["login_url"] = reverse("wagtailadmin_login") + "?next=" + request.path
        return render(request, "partnerships/invitation_accept.html", context)

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_accept(
                invitation=invitation,
                account={
                    "username": data["username"],
                    "first_name": data["first_name"],
                    "last_name": data["last_name"],
                    "password": data["password1"],
                },
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.InvitationInvalid as problem:
            return _invalid(request, problem)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome! You have joined the {invitation.partnership.name}.",
            )
            return HttpResponseRedirect(
                reverse("partnerships:detail", args=[invitation.partnership_id])
            )
    context["form"] = form
    return render(request, "partnerships/invitation_accept.html", context)
