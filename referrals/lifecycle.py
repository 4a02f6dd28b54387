"""The referral lifecycle (HL7 FHIR SDOH referral task statuses), as data.

Allowed moves and which need a reason. Pure: no database. Which side makes
each move, and who acts for which side, is the access policy's business
(`partnerships.permissions.may_move` and `referral_sides`).

Rights, following the Gravity SDOH task rules:

=====================  =========================================================
Move                   Who, when
=====================  =========================================================
requested              the sender, by making the referral
accepted, rejected     the receiver (performer), from requested
in-progress, on-hold,  the receiver, from accepted / in-progress / on-hold
completed, failed
cancelled              the sender (requester), before the referral is finished
entered-in-error       the sender, who entered it, before the referral is
                       finished; never once completed, failed, rejected,
                       cancelled or the loop closed (the receiver's figures
                       must not change under it)
feedback (close loop)  the receiver, once, after completed, failed or rejected
consent revoked        either party (a person acting for the sender or the
                       receiver), once, with a reason
=====================  =========================================================
"""

from __future__ import annotations

# Which side makes which move is access policy; it lives with the rest of it.
from partnerships.permissions import BY_SENDER, RECEIVER, SENDER, may_move
from partnerships.permissions import referral_sides as _sides

__all__ = ["BY_SENDER", "RECEIVER", "SENDER", "may_move"]

MOVES: dict[str, set[str]] = {
    "requested": {"accepted", "rejected", "cancelled", "entered-in-error"},
    "accepted": {
        "in-progress",
        "on-hold",
        "cancelled",
        "completed",
        "failed",
        "entered-in-error",
    },
    "in-progress": {"on-hold", "cancelled", "completed", "failed", "entered-in-error"},
    "on-hold": {"in-progress", "cancelled", "completed", "failed", "entered-in-error"},
}
FINAL = {"rejected", "completed", "failed", "cancelled", "entered-in-error"}
NEEDS_REASON = {"rejected", "cancelled", "on-hold", "failed", "entered-in-error"}
# The outcomes the receiver reports back to close the loop.
FEEDBACK_AFTER = {"completed", "failed", "rejected"}


def allowed(current: str, target: str) -> bool:
    return target in MOVES.get(current, set())


def next_moves(current: str, sides: set[str]) -> list[str]:
    targets = sorted(MOVES.get(current, set()))
    return [t for t in targets if any(may_move(side, t) for side in sides)]


def moves_for(user, referral) -> list[str]:
    """The statuses the user may move the referral to now: none once the loop
    has closed."""
    if referral.loop_closed_at is not None:
        return []
    return next_moves(referral.status, _sides(user, referral))
