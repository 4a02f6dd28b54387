from django.urls import include, path, reverse
from wagtail import hooks

from partnerships.views.base import Section
from partnerships.wagtail_hooks import register_log_messages, register_workspace_panel

from . import urls
from .dashboard import indicator_figures


@hooks.register("register_admin_urls")
def register_logic_model_urls():
    return [path("logic-models/", include(urls, namespace="logicmodels"))]


ACTIONS = {
    "logicmodels.create": ("Create logic model", "Created the logic model {model}"),
    "logicmodels.add_element": ("Add element", "Added “{element}” to {model}"),
    "logicmodels.add_link": ("Add link", "Linked {link} in {model}"),
    "logicmodels.add_indicator": ("Add indicator", "Added indicator {indicator}"),
    "logicmodels.import_measurements": (
        "Import measurements",
        "Imported {rows} measurements for {indicator}",
    ),
    "logicmodels.check_in": ("Check in", "{indicator}: {status}"),
    "logicmodels.adopt": ("Adopt logic model", "Adopted {model}"),
    "logicmodels.retire": (
        "Retire logic model",
        "Retired the earlier version of {model}",
    ),
    "logicmodels.new_version": (
        "New logic-model version",
        "Started a new version of {model}",
    ),
}


@hooks.register("register_log_actions")
def register_logic_model_log_actions(actions):
    register_log_messages(actions, ACTIONS)


# Indicators off track or without recent data.
register_workspace_panel(
    "indicator_panel", "logicmodels/panel.html", order=90, figures=indicator_figures
)


@hooks.register("register_partnership_section")
def register_logic_model_section():
    return Section("logic-model", "Logic model", "logicmodels:index", order=30)


@hooks.register("learning_proposal_action")
def logic_model_draft_from_proposal(entry):
    """A proposal to change the logic model opens a new draft of it."""
    if entry.proposal_kind != entry.ProposalKind.LOGIC_MODEL:
        return None
    return (
        "Open a new draft of the logic model",
        reverse("logicmodels:from_proposal", args=[entry.partnership_id, entry.pk]),
    )


@hooks.register("register_next_steps")
def logic_model_next_steps(user):
    from .selectors import next_steps

    return next_steps(user)
