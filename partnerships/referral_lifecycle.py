"""The referral lifecycle (HL7 FHIR SDOH referral task statuses), as data.

Allowed moves, who may make them, and which need a reason. Pure: no database."""

from __future__ import annotations

SENDER, RECEIVER = "sender", "receiver"

MOVES: dict[str, set[str]] = {
    "requested": {"accepted", "rejected", "cancelled"},
    "accepted": {"in-progress", "on-hold", "cancelled", "completed", "failed"},
    "in-progress": {"on-hold", "cancelled", "completed", "failed"},
    "on-hold": {"in-progress", "cancelled", "completed", "failed"},
}
ANY_TO = {"entered-in-error"}
FINAL = {"rejected", "completed", "failed", "cancelled", "entered-in-error"}
NEEDS_REASON = {"rejected", "cancelled", "on-hold", "failed"}
EITHER = {"cancelled", "entered-in-error"}


def allowed(current: str, target: str) -> bool:
    if target in ANY_TO:
        return current != target
    return target in MOVES.get(current, set())


def may_move(side: str, target: str) -> bool:
    """The sender sets requested (on creation); the receiver everything else;
    either side may cancel or mark entered-in-error."""
    if target in EITHER:
        return True
    return side == RECEIVER


def next_moves(current: str, sides: set[str]) -> list[str]:
    targets = sorted(MOVES.get(current, set()) | (ANY_TO - {current}))
    return [t for t in targets if any(may_move(side, t) for side in sides)]
