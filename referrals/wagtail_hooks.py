"""The referral workspace registers itself: its URLs, the inbox in the menu, its
panel on the home page and leadership dashboard, and its history labels."""

from django.urls import include, path, reverse
from wagtail import hooks

from partnerships.views.base import Section
from partnerships.wagtail_hooks import (
    WorkspaceMenuItem,
    register_log_messages,
    register_workspace_panel,
)

from . import urls
from .figures import referral_figures

# Referral events are logged on the referral itself (never on the partnership:
# only its two organisations may read them); "partnerships.refer" is the name
# earlier versions logged on the partnership, kept so old entries still read.
LOG_ACTIONS = {
    "partnerships.refer": ("Refer", "{sender} referred a client to {receiver}"),
    "partnerships.referral_create": (
        "Refer",
        "{sender} referred a client to {receiver}",
    ),
    "partnerships.referral_move": (
        "Update referral",
        "Referral from {sender} to {receiver}: {from} → {to}",
    ),
    "partnerships.referral_feedback": (
        "Close referral loop",
        "{receiver} sent the outcome back to {sender}",
    ),
    "partnerships.referral_consent_revoke": (
        "Record revoked consent",
        "{by} recorded that the client revoked consent",
    ),
    "partnerships.referral_protocol": (
        "Change referral protocol",
        "Saved version {version} of the referral protocol",
    ),
}


@hooks.register("register_log_actions")
def register_referral_log_actions(actions):
    register_log_messages(actions, LOG_ACTIONS)


@hooks.register("register_admin_urls")
def register_referral_urls():
    return [path("referrals/", include(urls, namespace="referrals"))]


@hooks.register("register_admin_menu_item")
def register_referral_inbox_menu_item():
    return WorkspaceMenuItem(
        "Referral inbox",
        reverse("referrals:inbox"),
        icon_name="mail",
        order=115,
    )


# Referral loops open past their deadline, and closed-loop rates.
register_workspace_panel(
    "referral_panel",
    "referrals/panels/referrals.html",
    order=85,
    figures=referral_figures,
    home_needs_partnership=True,
)


@hooks.register("register_partnership_section")
def register_referrals_section():
    return Section("referrals", "Referrals", "referrals:index", order=80)


@hooks.register("register_next_steps")
def referrals_next_steps(user):
    from .selectors import next_steps

    return next_steps(user)
