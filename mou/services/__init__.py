"""Every write to an MOU: content edits, the lifecycle, signatures, comments.

Services are the only callers of the state machine's transitions. Each change
writes a domain history row (MOUEvent) and a Wagtail audit-log entry, and sends
its e-mail after the transaction commits.

    base       shared helpers: history, recipients, access checks, the row lock
    content    template → MOU, sections and clauses, the referral-methods section
    lifecycle  review, signing opened/withdrawn, execute, amend, terminate, expire
    signing    a signature on the frozen text; the last one executes
    comments   comments, mentions and watchers

Callers use the package (`from mou import services`), never the modules."""

from .comments import MENTION, comment_add, comment_resolve
from .content import (
    StaleEdit,
    describe_changes,
    mou_create_from_template,
    mou_refresh_referrals,
    mou_section_move,
    mou_section_remove,
    mou_section_save,
    referral_clauses,
)
from .lifecycle import (
    RENEWAL_REMINDER_DAYS,
    TRANSITION_WORDS,
    mou_amend,
    mou_execute,
    mou_expire_due,
    mou_open_signing,
    mou_renewal_reminders_send,
    mou_request_changes,
    mou_submit_for_review,
    mou_terminate,
    mou_withdraw,
)

# `_signatures_counted` is the concurrency test's seam: it is patched here, on
# the package, and `signing._sign` looks it up here.
from .signing import TextChanged, mou_sign
from .signing import _signatures_counted as _signatures_counted

__all__ = [
    "MENTION",
    "RENEWAL_REMINDER_DAYS",
    "TRANSITION_WORDS",
    "StaleEdit",
    "TextChanged",
    "comment_add",
    "comment_resolve",
    "describe_changes",
    "mou_amend",
    "mou_create_from_template",
    "mou_execute",
    "mou_expire_due",
    "mou_open_signing",
    "mou_refresh_referrals",
    "mou_renewal_reminders_send",
    "mou_request_changes",
    "mou_section_move",
    "mou_section_remove",
    "mou_section_save",
    "mou_sign",
    "mou_submit_for_review",
    "mou_terminate",
    "mou_withdraw",
    "referral_clauses",
]
