from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogFormatter

from . import permissions, urls
from .viewsets import organisation_viewset


@hooks.register("register_admin_urls")
def register_workspace_urls():
    return [path("partnerships/", include(urls, namespace="partnerships"))]


@hooks.register("register_admin_viewset")
def register_organisation_viewset():
    return organisation_viewset


class WorkspaceMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_authenticated


@hooks.register("register_admin_menu_item")
def register_partnerships_menu_item():
    return WorkspaceMenuItem(
        "Partnerships", reverse("partnerships:index"), icon_name="group", order=100
    )


@hooks.register("register_admin_menu_item")
def register_responsibilities_menu_item():
    return WorkspaceMenuItem(
        "My responsibilities",
        reverse("partnerships:my_responsibilities"),
        icon_name="tasks",
        order=110,
    )


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return WorkspaceMenuItem(
        "Leadership dashboard",
        reverse("partnerships:dashboard"),
        icon_name="view",
        order=120,
    )


def log_formatter(label: str, template: str):
    """A log formatter whose message fills `template` from the entry's data."""

    class Formatter(LogFormatter):
        def format_message(self, log_entry):
            try:
                return template.format(**log_entry.data)
            except (KeyError, IndexError):
                return label

    Formatter.label = label
    return Formatter


# Labels and messages for the partnership history.
LOG_ACTIONS = {
    "partnerships.add_partner": (
        "Add partner organisation",
        "{organisation} joined as {role}",
    ),
    "partnerships.remove_partner": (
        "Remove partner organisation",
        "{organisation} left the partnership",
    ),
    "partnerships.invite": ("Invite", "Invited {email} for {organisation} as {role}"),
    "partnerships.propose_person": (
        "Propose a person",
        "Proposed {email} to act for {organisation} as {role}; waiting for "
        "{organisation} to confirm",
    ),
    "partnerships.approve_person": (
        "Confirm a proposed person",
        "{organisation} confirmed {email} as {role}",
    ),
    "partnerships.decline_person": (
        "Decline a proposed person",
        "{organisation} declined {email}",
    ),
    "partnerships.change_member": ("Change member", "Changed how {person} works"),
    "partnerships.remove_member": ("Remove member", "{person} left the organisation"),
    "partnerships.revoke_invitation": (
        "Withdraw invitation",
        "Withdrew the invitation to {email}",
    ),
    "partnerships.accept_invitation": (
        "Accept invitation",
        "{email} accepted the invitation for {organisation}",
    ),
    "partnerships.assign_role": (
        "Assign role",
        "{person} became {role} for {organisation}",
    ),
    "partnerships.remove_role": (
        "Remove role",
        "{person} is no longer {role} for {organisation}",
    ),
    "partnerships.add_commitment": (
        "Add sustainability commitment",
        "{organisation} committed {commitment}",
    ),
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
    "partnerships.remove_commitment": (
        "Remove sustainability commitment",
        "{organisation} withdrew {commitment}",
    ),
}


def register_log_messages(actions, table: dict[str, tuple[str, str]]) -> None:
    """Register {action: (label, message template)} with Wagtail's audit log."""
    for action, (label, template) in table.items():
        actions.register_action(action)(log_formatter(label, template))


@hooks.register("register_log_actions")
def register_partnership_log_actions(actions):
    register_log_messages(actions, LOG_ACTIONS)


class YourPartnershipsPanel(Component):
    """The dashboard's first panel: the partnerships the user works in."""

    name = "your_partnerships"
    template_name = "partnerships/panels/your_partnerships.html"
    order = 50
    workspace = True
    limit = 8

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        visible = permissions.visible_partnerships(request.user)
        return {
            "partnerships": list(
                visible.order_by("name", "pk").only("pk", "name", "status", "end_date")[
                    : self.limit
                ]
            ),
            "total": visible.count(),
            "limit": self.limit,
        }


class AccountabilityPanel(Component):
    """Overdue work, completion, health and what needs attention, across the
    partnerships the user sees: the leadership dashboard on the home page."""

    name = "shared_accountability"
    template_name = "partnerships/panels/accountability.html"
    order = 60
    workspace = True

    def get_context_data(self, parent_context):
        from .views.dashboard import dashboard_context

        return dashboard_context(parent_context["request"].user)


@hooks.register("construct_homepage_panels")
def add_your_partnerships_panel(request, panels):
    panels.insert(0, YourPartnershipsPanel())
    if permissions.visible_partnerships(request.user).exists():
        panels.insert(1, AccountabilityPanel())
