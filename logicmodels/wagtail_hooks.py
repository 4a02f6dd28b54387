from django.urls import include, path
from wagtail import hooks
from wagtail.admin.ui.components import Component

from partnerships.views.base import Section
from partnerships.wagtail_hooks import register_log_messages

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
    "logicmodels.new_version": (
        "New logic-model version",
        "Started a new version of {model}",
    ),
}


@hooks.register("register_log_actions")
def register_logic_model_log_actions(actions):
    register_log_messages(actions, ACTIONS)


class IndicatorPanel(Component):
    """Indicators off track or without recent data."""

    name = "indicator_panel"
    template_name = "logicmodels/panel.html"
    order = 90
    workspace = True

    def get_context_data(self, parent_context):
        return indicator_figures(parent_context["request"].user)


@hooks.register("construct_homepage_panels")
def add_indicator_panel(request, panels):
    panels.append(IndicatorPanel())


@hooks.register("construct_leadership_dashboard")
def add_indicator_to_leadership_dashboard(request, panels):
    panels.append(IndicatorPanel())


@hooks.register("register_partnership_section")
def register_logic_model_section():
    return Section("logic-model", "Logic model", "logicmodels:index", order=30)
