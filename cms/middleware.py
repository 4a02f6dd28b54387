"""Deny-by-default access to the Wagtail admin for partner staff (DESIGN.md §4).

Wagtail's own per-object permissions are not a security boundary: reports,
search and choosers show data across the whole instance. So for a signed-in user
who is not hub staff, every /admin/ URL is refused unless its URL name is on the
allow-list below. URLs that a Wagtail upgrade adds stay refused until someone
allows them here, after checking what they show.
"""

from django.conf import settings
from django.template.response import TemplateResponse

# Exact URL names partner staff may reach.
ALLOWED_VIEW_NAMES = frozenset(
    {
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_home",
        "wagtailadmin_account",
        "wagtailadmin_password_reset",
        "wagtailadmin_password_reset_done",
        "wagtailadmin_password_reset_confirm",
        "wagtailadmin_password_reset_complete",
    }
)

# URL namespaces that belong to the workspace: each of their views applies the
# access policy in partnerships/permissions.py itself.
ALLOWED_NAMESPACES = frozenset(
    {
        "partnerships",
        "accountability",
        "referrals",
        "mou",
        "meetings",
        "logicmodels",
        "screening",
        "api_tokens",
        "api_archive",
    }
)


def is_allowed(view_name: str, namespaces: list[str]) -> bool:
    return view_name in ALLOWED_VIEW_NAMES or bool(
        namespaces and namespaces[0] in ALLOWED_NAMESPACES
    )


class WorkspaceAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(self.admin_prefix):
            return None
        user = getattr(request, "user", None)
        # Anonymous visitors are sent to the login page by Wagtail itself; hub
        # staff have the whole admin.
        if user is None or not user.is_authenticated or user.is_staff:
            return None
        match = request.resolver_match
        if match and is_allowed(match.view_name, match.namespaces):
            return None
        return refuse(request)


def refuse(request):
    """An admin-styled 403, so in-page requests fail visibly instead of
    redirecting."""
    response = TemplateResponse(
        request,
        "cms/refused.html",
        {"support_email": settings.DEFAULT_FROM_EMAIL},
        status=403,
    )
    return response.render()
