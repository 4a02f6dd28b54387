from django.urls import include, path
from wagtail import hooks

from partnerships import charts
from partnerships.views.base import Section
from partnerships.wagtail_hooks import register_log_messages, register_workspace_panel

from . import urls
from .dashboard import mou_figures
from .viewsets import MOUAdminGroup


@hooks.register("register_admin_urls")
def register_mou_urls():
    return [path("mou/", include(urls, namespace="mou"))]


@hooks.register("register_admin_viewset")
def register_mou_admin():
    return MOUAdminGroup()


MOU_ACTIONS = {
    "mou.create": ("Create MOU", "Created {title}"),
    "mou.edit": ("Edit MOU section", "Edited “{section}” in {title}"),
    "mou.add_section": ("Add MOU section", "Added “{section}” to {title}"),
    "mou.remove_section": ("Remove MOU section", "Removed “{section}” from {title}"),
    "mou.move_section": ("Move MOU section", "Moved “{section}” in {title}"),
    "mou.submit_for_review": ("Submit MOU for review", "Submitted {title} for review"),
    "mou.request_changes": ("Send MOU back to draft", "Sent {title} back to draft"),
    "mou.open_signing": ("Open MOU signing", "Opened signing of {title}"),
    "mou.sign": ("Sign MOU", "{name} signed {title} for {organisation}"),
    "mou.sign_refused": (
        "MOU signature refused",
        "Refused a signature on {title} for {organisation}: {reason}",
    ),
    "mou.refused": ("MOU action refused", "Refused {action} on {title}"),
    "mou.execute": ("Execute MOU", "{title} is signed by every partner"),
    "mou.withdraw": ("Withdraw MOU from signing", "Withdrew {title} from signing"),
    "mou.amend": ("Start MOU amendment", "Started {amendment}"),
    "mou.supersede": ("Supersede MOU", "{title} is superseded"),
    "mou.expire": ("Expire MOU", "{title} expired"),
    "mou.terminate": ("Terminate MOU", "Terminated {title}: {reason}"),
    "mou.comment": ("Comment on MOU", "Commented on {title}"),
    "mou.resolve_comment": ("Resolve MOU comment", "Resolved a comment on {title}"),
    "mou.reopen_comment": ("Reopen MOU comment", "Reopened a comment on {title}"),
}


@hooks.register("register_log_actions")
def register_mou_log_actions(actions):
    register_log_messages(actions, MOU_ACTIONS)


def mou_panel_figures(user) -> dict:
    """MOUs by state, renewals due and who still has to sign."""
    figures = mou_figures(user)
    figures["chart"] = charts.bar_chart(
        "MOUs by state", figures["by_state"], colour=charts.PALETTE[1]
    )
    return figures


register_workspace_panel(
    "mou_panel", "mou/panel.html", order=70, figures=mou_panel_figures
)


@hooks.register("register_partnership_section")
def register_mou_section():
    return Section("mou", "MOU", "mou:index", order=40)


@hooks.register("register_next_steps")
def mou_next_steps(user):
    from .selectors import next_steps

    return next_steps(user)


@hooks.register("register_next_steps")
def mou_review_steps(user):
    from .selectors import review_steps

    return review_steps(user)


@hooks.register("referral_protocol_locked")
def referral_protocol_in_an_executed_mou(partnership):
    """The executed MOU quotes the referral protocol in its referral-methods
    section: while it is in force and no amendment is being drafted, the
    protocol changes only through an amendment."""
    from .models import MOU

    mous = MOU.objects.filter(partnership=partnership)
    drafting = mous.filter(state__in=[MOU.State.DRAFT, MOU.State.IN_REVIEW])
    if mous.filter(state=MOU.State.EXECUTED).exists() and not drafting.exists():
        return (
            "The executed MOU contains this protocol. Start an amendment of the MOU "
            "first; the changed protocol then goes into the amendment's "
            "referral-methods section."
        )
    return None
