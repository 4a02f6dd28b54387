from django.urls import include, path, reverse
from wagtail import hooks

from partnerships.views.base import Section
from partnerships.wagtail_hooks import (
    WorkspaceMenuItem,
    register_log_messages,
    register_workspace_panel,
)

from . import urls
from .dashboard import cadence_figures


@hooks.register("register_admin_urls")
def register_meeting_urls():
    return [path("meetings/", include(urls, namespace="meetings"))]


@hooks.register("register_admin_menu_item")
def register_feeds_menu_item():
    return WorkspaceMenuItem(
        "Calendar feeds", reverse("meetings:feeds"), icon_name="date", order=130
    )


MEETING_ACTIONS = {
    "meetings.create_series": ("Create meeting series", "Set up {series}"),
    "meetings.publish_series": ("Send invitations", "Sent invitations to {series}"),
    "meetings.update_series": ("Change meeting series", "Changed {series} ({changed})"),
    "meetings.move_meeting": ("Move meeting", "Moved a {series} meeting to {to}"),
    "meetings.cancel_meeting": ("Cancel meeting", "Cancelled {meeting}"),
    "meetings.cancel_series": ("Cancel meeting series", "Cancelled {series}"),
    "meetings.add_invitee": ("Invite to meetings", "Invited {email} to {series}"),
    "meetings.remove_invitee": ("Remove invitee", "Removed {email} from {series}"),
    "meetings.rsvp": ("Answer invitation", "{email}: {response} ({series})"),
    "meetings.remind_invitees": (
        "Remind invitees",
        "Reminded {count} who had not answered ({series}, {meeting})",
    ),
    "meetings.counter": (
        "Propose another time",
        "{email} proposes {proposed} ({series})",
    ),
    "meetings.hold_meeting": ("Hold meeting", "Held {meeting}"),
    "meetings.close_meeting": ("Close minutes", "Closed the minutes of {meeting}"),
    "meetings.record_decision": ("Record decision", "Decided: {decision}"),
    "meetings.record_action": ("Record action", "Action for {owner}: {what}"),
}


@hooks.register("register_log_actions")
def register_meeting_log_actions(actions):
    register_log_messages(actions, MEETING_ACTIONS)


# Meetings held against those scheduled, minutes, open actions.
register_workspace_panel(
    "meeting_cadence", "meetings/panel.html", order=80, figures=cadence_figures
)


@hooks.register("register_partnership_section")
def register_meetings_section():
    return Section("meetings", "Meetings", "meetings:index", order=50)


@hooks.register("register_next_steps")
def meetings_next_steps(user):
    from .selectors import next_steps

    return next_steps(user)


@hooks.register("register_next_steps")
def meetings_organiser_steps(user):
    from .selectors import organiser_steps

    return organiser_steps(user)
