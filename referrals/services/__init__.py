"""Writes for referrals: the protocol, making a referral, moving it through
its lifecycle, consent and the feedback that closes the loop. One module per
concern; this package is what the rest of the product calls."""

from .protocol import (
    protocol_save,
)
from .referrals import (
    referral_consent_revoke,
    referral_create,
    referral_feedback,
    referral_move,
    referral_viewed,
)
from .reminders import (
    referral_due_reminders,
    referral_reminders_send,
)

__all__ = [
    "protocol_save",
    "referral_create",
    "referral_move",
    "referral_feedback",
    "referral_consent_revoke",
    "referral_viewed",
    "referral_due_reminders",
    "referral_reminders_send",
]
