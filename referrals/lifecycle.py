"""The referral lifecycle (HL7 FHIR SDOH referral task statuses), read off the
django-fsm transitions on `Referral`: allowed moves and which need a reason.
No database. Which side makes each move, and who acts for which side, is the
access policy's business (`partnerships.permissions.may_move` and
`referral_sides`), named as each transition's permission.

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

from django_fsm import can_proceed

# Which side makes which move is access policy; it lives with the rest of it.
from partnerships.permissions import BY_SENDER, RECEIVER, SENDER, may_move

from .models import Referral, _reason_given

__all__ = ["BY_SENDER", "RECEIVER", "SENDER", "may_move"]

# Read off the model's transitions, so the graph is declared once (on
# Referral) and these names only describe it.
_TRANSITIONS = list(Referral._meta.get_field("status").get_all_transitions(Referral))
MOVES: dict[str, set[str]] = {}
for _t in _TRANSITIONS:
    if _t.target is not None:
        MOVES.setdefault(_t.source, set()).add(_t.target)
FINAL = set(Referral.Status.values) - set(MOVES)
NEEDS_REASON = {t.target for t in _TRANSITIONS if _reason_given in t.conditions}
# The outcomes the receiver reports back to close the loop.
FEEDBACK_AFTER = {t.source for t in _TRANSITIONS if t.name == "close_loop"}


def allowed(current: str, target: str) -> bool:
    return target in MOVES.get(current, set())


def moves_for(user, referral: Referral) -> list[str]:
    """The statuses the user may move the referral to now: those its state
    allows and the policy gives the user's side (a reason, where one is
    needed, is asked for on the form)."""
    moves = []
    for target, name in sorted(Referral.MOVES_BY_TARGET.items()):
        method = getattr(referral, name)
        if can_proceed(method, check_conditions=False) and (
            method._django_fsm.has_transition_perm(referral, referral.status, user)
        ):
            moves.append(str(target))
    return moves
