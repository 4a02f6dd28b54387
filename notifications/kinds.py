"""The kinds of notification a person may choose how to receive, and which
e-mail events belong to each. An event missing here is not a notification (a
message someone asked for, say): it always goes out at once."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    events: frozenset[str]


KINDS: tuple[Kind, ...] = (
    Kind(
        "referrals",
        "Referrals: a new one waiting for your organisation, the outcome of one "
        "you sent, late ones",
        frozenset({"referral-changed", "referral-late"}),
    ),
    Kind(
        "signatures",
        "MOUs waiting for your signature",
        frozenset({"mou-signing-open"}),
    ),
    Kind(
        "comments",
        "Comments that mention you or are on an MOU you follow",
        frozenset({"mou-comment"}),
    ),
    Kind(
        "responsibilities",
        "Responsibilities due soon or overdue",
        frozenset(
            {
                "responsibility-due-soon",
                "responsibility-overdue",
                "responsibility-escalated",
            }
        ),
    ),
    Kind(
        "invitations",
        "Invitations to a partnership, and people proposed to your organisation",
        frozenset({"invitation", "person-proposed"}),
    ),
    Kind(
        "agreements",
        "MOU reviews, executions, renewals and endings",
        frozenset({"mou-review", "mou-executed", "mou-ended", "mou-renewal"}),
    ),
    Kind("meetings", "Meeting minutes", frozenset({"meeting-minutes"})),
    Kind("directory", "Directory entries to check", frozenset({"directory-stale"})),
)
BY_KEY = {kind.key: kind for kind in KINDS}
_BY_EVENT = {event: kind.key for kind in KINDS for event in kind.events}

# The mail that carries held notifications once a day.
DIGEST = "digest"


def kind_for(event: str) -> str:
    """The notification kind of an e-mail event, or the event itself when it is
    not one a person can choose about."""
    return _BY_EVENT.get(event, event)


def label_for(kind: str) -> str:
    found = BY_KEY.get(kind)
    return found.label if found else kind.replace("-", " ").capitalize()
