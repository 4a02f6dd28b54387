from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from partnerships import permissions
from partnerships.views.base import Section
from partnerships.wagtail_hooks import register_log_messages

from . import admin_urls, archive_urls


@hooks.register("register_admin_urls")
def register_token_urls():
    return [
        path("api-tokens/", include(admin_urls, namespace="api_tokens")),
        path("partnership-archive/", include(archive_urls, namespace="api_archive")),
    ]


@hooks.register("register_partnership_section")
def register_data_section():
    return Section("data", "Your data", "api_archive:index", order=900)


class TokensMenuItem(MenuItem):
    """Shown to hub staff and organisation administrators."""

    def is_shown(self, request):
        user = request.user
        return user.is_staff or bool(permissions.administered_org_ids(user))


@hooks.register("register_admin_menu_item")
def register_tokens_menu_item():
    return TokensMenuItem(
        "API tokens", reverse("api_tokens:index"), icon_name="key", order=900
    )


TOKEN_ACTIONS = {
    "api.token_create": ("Issue API token", "Issued {scope} API token {name}"),
    "api.token_rotate": ("Rotate API token", "Rotated API token {name}"),
    "api.token_revoke": ("Revoke API token", "Revoked API token {name}"),
}


@hooks.register("register_log_actions")
def register_token_log_actions(actions):
    register_log_messages(actions, TOKEN_ACTIONS)


class HubMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff


@hooks.register("register_admin_menu_item")
def register_archive_import_menu_item():
    return HubMenuItem(
        "Import a partnership",
        reverse("api_archive:import"),
        icon_name="upload",
        order=910,
    )
