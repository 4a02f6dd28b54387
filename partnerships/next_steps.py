"""“Your next steps”: what waits for this person, at the top of their home page.

Each app registers one function `(user) -> list[NextStep]` under the
`register_next_steps` hook. Each applies the access policy itself, reads a
bounded number of rows (a few queries, sliced) whatever the data size, and
links every step to the one page where it is done. Steps never carry client
details: a waiting referral is "a referral", not a person.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from wagtail import hooks

# How many steps the panel shows, and how many each app may offer.
LIMIT = 12
PER_APP = 5


@dataclass(frozen=True)
class NextStep:
    kind: str  # "mou.sign", "referral.inbox" …: tests and notices tell steps apart
    text: str
    url: str
    due: datetime.date | None = None
    urgent: bool = False  # past its date or deadline


def for_user(user, limit: int = LIMIT) -> list[NextStep]:
    """The person's next steps: urgent first, then by date, then by text."""
    if not user.is_authenticated:
        return []
    steps = [
        step
        for hook in hooks.get_hooks("register_next_steps")
        for step in hook(user)[:PER_APP]
    ]
    steps.sort(key=lambda s: (not s.urgent, s.due or datetime.date.max, s.text))
    return steps[:limit]
