from django.templatetags.static import static
from django.urls import Resolver404, resolve
from django.utils.html import format_html
from wagtail import hooks

from .middleware import is_allowed


def _url_allowed(url: str) -> bool:
    try:
        match = resolve(url)
    except Resolver404:
        return False
    return is_allowed(match.view_name, match.namespaces)


@hooks.register("construct_main_menu")
def show_partner_staff_only_their_workspace(request, menu_items):
    """Partner staff see only menu items that lead somewhere they may go; the
    Help menu and other chrome would lead to refused pages."""
    if request.user.is_staff:
        return
    menu_items[:] = [
        item
        for item in menu_items
        if getattr(item, "url", None) and _url_allowed(item.url)
    ]


@hooks.register("construct_homepage_panels")
def drop_page_panels_for_partner_staff(request, panels):
    """Wagtail's own dashboard panels list pages and workflows, which partner
    staff do not use; the workspace apps add their own panels."""
    if request.user.is_staff:
        return
    panels[:] = [panel for panel in panels if getattr(panel, "workspace", False)]


@hooks.register("insert_global_admin_css")
def workspace_css():
    return format_html('<link rel="stylesheet" href="{}">', static("cms/workspace.css"))


@hooks.register("insert_global_admin_js")
def workspace_js():
    return format_html('<script src="{}" defer></script>', static("cms/workspace.js"))
