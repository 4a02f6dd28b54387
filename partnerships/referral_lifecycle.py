"""The referral lifecycle (HL7 FHIR SDOH referral task statuses), as data.

Allowed moves, which side makes each, and which need a reason. Pure: no
database. Who acts for which side is the access policy's business
(`permissions.referral_sides`).

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

SENDER, RECEIVER = "sender", "receiver"

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
# The requester withdraws its own request; everything else is the performer's.
BY_SENDER = {"cancelled", "entered-in-error"}
# The outcomes the receiver reports back to close the loop.
FEEDBACK_AFTER = {"completed", "failed", "rejected"}


def allowed(current: str, target: str) -> bool:
    return target in MOVES.get(current, set())


def may_move(side: str, target: str) -> bool:
    """The sender cancels or withdraws its own request (entered-in-error); the
    receiver makes every other move."""
    if target in BY_SENDER:
        return side == SENDER
    return side == RECEIVER


def next_moves(current: str, sides: set[str]) -> list[str]:
    targets = sorted(MOVES.get(current, set()))
    return [t for t in targets if any(may_move(side, t) for side in sides)]
