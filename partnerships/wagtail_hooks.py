from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogFormatter

from . import next_steps, permissions, selectors, urls
from .views.base import Section
from .viewsets import organisation_viewset


@hooks.register("register_admin_urls")
def register_workspace_urls():
    return [path("partnerships/", include(urls, namespace="partnerships"))]


@hooks.register("register_partnership_section")
def register_overview_section():
    return Section("overview", "Overview", "partnerships:detail", order=10)


@hooks.register("register_partnership_section")
def register_partners_section():
    return Section("partners", "Partners and people", "partnerships:partners", order=20)


@hooks.register("register_partnership_section")
def register_history_section():
    return Section("history", "History", "partnerships:history", order=100)


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
    "partnerships.status": ("Change status", "Status: {from} → {to}. {reason}"),
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
        "Pledge a resource",
        "{organisation} pledged {commitment}",
    ),
    "partnerships.remove_commitment": (
        "Withdraw a pledge",
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


class WorkspacePanel(Component):
    """A panel of figures for the home page (and the leadership dashboard).
    `figures(user)` applies the access policy itself."""

    workspace = True  # kept for partner staff (cms.wagtail_hooks)
    figures = None

    def get_context_data(self, parent_context):
        return type(self).figures(parent_context["request"].user)


def register_workspace_panel(
    name: str,
    template_name: str,
    *,
    order: int,
    figures,
    leadership: bool = True,
    home_needs_partnership: bool = False,
) -> type[WorkspacePanel]:
    """Show an app's panel on the home page and, unless `leadership` is False,
    on the leadership dashboard. `home_needs_partnership` leaves it off the home
    page of someone in no partnership (it would only say there is nothing)."""
    panel = type(
        f"{name.title().replace('_', '')}Panel",
        (WorkspacePanel,),
        {
            "name": name,
            "template_name": template_name,
            "order": order,
            "figures": staticmethod(figures),
        },
    )

    def add_to_home(request, panels):
        if (
            not home_needs_partnership
            or permissions.visible_partnerships(request.user).exists()
        ):
            panels.append(panel())

    def add_to_leadership_dashboard(request, panels):
        panels.append(panel())

    hooks.register("construct_homepage_panels", add_to_home)
    if leadership:
        hooks.register("construct_leadership_dashboard", add_to_leadership_dashboard)
    return panel


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


# What waits for this person, from every app (partnerships.next_steps), above
# everything else on the home page.
register_workspace_panel(
    "next_steps",
    "partnerships/panels/next_steps.html",
    order=40,
    figures=lambda user: {"steps": next_steps.for_user(user)},
    leadership=False,
)


@hooks.register("register_next_steps")
def partnership_next_steps(user):
    return selectors.next_steps(user)


@hooks.register("construct_homepage_panels")
def add_your_partnerships_panel(request, panels):
    panels.insert(0, YourPartnershipsPanel())
