"""Shared accountability registers itself: its pages, menu items, partnership
tabs, the home-page panel and its history labels."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component

from partnerships import permissions
from partnerships.views.base import Section
from partnerships.wagtail_hooks import WorkspaceMenuItem, register_log_messages

from . import urls

# The action names keep their "partnerships." prefix: entries already in the
# audit log were written under them.
LOG_ACTIONS = {
    "partnerships.add_responsibility": (
        "Add responsibility",
        "{organisation} took on “{responsibility}” (due {due})",
    ),
    "partnerships.edit_responsibility": (
        "Edit responsibility",
        "Changed “{responsibility}”",
    ),
    "partnerships.report_responsibility": (
        "Report on responsibility",
        "“{responsibility}”: {from} → {to}",
    ),
    "partnerships.add_learning": ("Add learning entry", "Learning log: {title}"),
    "partnerships.decide_proposal": (
        "Decide proposed change",
        "{decision} the proposal in “{title}”",
    ),
    "partnerships.open_health_check": ("Open health check", "Opened {title}"),
    "partnerships.close_health_check": ("Close health check", "Closed {title}"),
    "partnerships.answer_health_check": (
        "Answer health check",
        "A response to {title} was recorded",
    ),
}


@hooks.register("register_admin_urls")
def register_accountability_urls():
    return [path("accountability/", include(urls, namespace="accountability"))]


@hooks.register("register_log_actions")
def register_accountability_log_actions(actions):
    register_log_messages(actions, LOG_ACTIONS)


@hooks.register("register_admin_menu_item")
def register_responsibilities_menu_item():
    return WorkspaceMenuItem(
        "My responsibilities",
        reverse("accountability:my_responsibilities"),
        icon_name="tasks",
        order=110,
    )


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return WorkspaceMenuItem(
        "Leadership dashboard",
        reverse("accountability:dashboard"),
        icon_name="view",
        order=120,
    )


@hooks.register("register_partnership_section")
def register_responsibilities_section():
    return Section(
        "responsibilities",
        "Responsibilities",
        "accountability:responsibilities",
        order=60,
    )


@hooks.register("register_partnership_section")
def register_learning_section():
    return Section("learning", "Learning log", "accountability:learning", order=70)


@hooks.register("register_partnership_section")
def register_health_section():
    return Section("health", "Health checks", "accountability:health", order=90)


class AccountabilityPanel(Component):
    """Overdue work, completion, health and what needs attention, across the
    partnerships the user sees: the leadership dashboard on the home page."""

    name = "shared_accountability"
    template_name = "accountability/panels/accountability.html"
    order = 60
    workspace = True

    def get_context_data(self, parent_context):
        from .views.dashboard import dashboard_context

        return dashboard_context(parent_context["request"].user)


@hooks.register("construct_homepage_panels")
def add_accountability_panel(request, panels):
    if permissions.visible_partnerships(request.user).exists():
        panels.append(AccountabilityPanel())
