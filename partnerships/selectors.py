"""Reads that are not a single view's: what several pages and services ask of
partnerships. Each takes the user and applies the access policy itself."""

from __future__ import annotations

from . import permissions
from .models import Partnership

# What each status move is called on screen and in messages; the model's
# transitions say from which status each may happen.
STATUS_MOVES = {
    "activate": "Mark active",
    "start_renewal": "Start renewal",
    "renew": "Mark renewed",
    "close": "Close the partnership",
    "reopen": "Reopen",
}


def status_moves(partnership: Partnership, user) -> list[tuple[str, str]]:
    """The status moves this user may make now, as (move, label); conditions
    (two partners) are checked when the move is made, so the refusal can say
    what to do."""
    if not permissions.can_coordinate(user, partnership):
        return []
    available = {
        transition.name for transition in partnership.get_available_status_transitions()
    }
    return [(move, label) for move, label in STATUS_MOVES.items() if move in available]
