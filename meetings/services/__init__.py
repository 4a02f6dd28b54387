"""Every write about meetings, by concern: series (cadence, place, invitees),
invitations (e-mails, RSVP), deliveries (sending one e-mail and its status),
minutes (agenda, decisions, actions, attendance) and lifecycle (every change of
state). Callers use `meetings.services.<name>`."""

from .answers import (
    RSVP_SALT,
    RSVPInvalid,
    RSVPWithdrawn,
    answers,
    occurrence_near,
    roster,
    rsvp_links,
    rsvp_record,
    rsvp_remind,
    rsvp_resolve,
    rsvp_token,
)
from .base import Occurrence, occurrence_for, occurrences, series_calendar
from .deliveries import deliveries_retry, delivery_send
from .invitations import invitee_add, invitee_remove
from .lifecycle import (
    meeting_cancel,
    meeting_close,
    meeting_hold,
    meeting_move,
    series_cancel,
    series_publish,
)
from .minutes import (
    action_record,
    agenda_item_add,
    agenda_item_move,
    attendance_mark,
    decision_record,
    minutes_record,
)
from .replies import Outcome, reply_receive
from .series import series_create, series_update

__all__ = [
    "RSVP_SALT",
    "Occurrence",
    "Outcome",
    "RSVPInvalid",
    "RSVPWithdrawn",
    "action_record",
    "agenda_item_add",
    "agenda_item_move",
    "answers",
    "attendance_mark",
    "decision_record",
    "deliveries_retry",
    "delivery_send",
    "invitee_add",
    "invitee_remove",
    "meeting_cancel",
    "meeting_close",
    "meeting_hold",
    "meeting_move",
    "minutes_record",
    "occurrence_for",
    "occurrence_near",
    "occurrences",
    "rsvp_links",
    "reply_receive",
    "roster",
    "rsvp_record",
    "rsvp_remind",
    "rsvp_resolve",
    "rsvp_token",
    "series_calendar",
    "series_cancel",
    "series_create",
    "series_publish",
    "series_update",
]
