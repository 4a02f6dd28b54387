"""Shared accountability registers itself: its pages, menu items, partnership
tabs, the home-page panel and its history labels."""

from django.urls import include, path, reverse
from wagtail import hooks

from partnerships.views.base import Section
from partnerships.wagtail_hooks import (
    WorkspaceMenuItem,
    register_log_messages,
    register_workspace_panel,
)

from . import urls
from .views.dashboard import dashboard_context

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


# Overdue work, completion, health and what needs attention, across the
# partnerships the user sees: the leadership dashboard on the home page (the
# dashboard page shows these figures itself).
register_workspace_panel(
    "shared_accountability",
    "accountability/panels/accountability.html",
    order=60,
    figures=dashboard_context,
    leadership=False,
    home_needs_partnership=True,
)


@hooks.register("register_next_steps")
def accountability_next_steps(user):
    from .selectors import next_steps

    return next_steps(user)


@hooks.register("register_next_steps")
def leadership_next_steps(user):
    from .oversight import next_steps

    return next_steps(user)
