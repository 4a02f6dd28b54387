"""Two people of the receiving organisation answer the same referral at the
same moment, on PostgreSQL (row locks are real there)."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from referrals import services as referral_services
from referrals.models import Referral, ReferralEvent
from referrals.services import base as referral_base

from ..concurrency import run_together
from ..factories import member

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locking"
    ),
]


def test_an_accept_and_a_reject_at_once_make_one_answer(cast, referral_in, monkeypatch):
    referral = referral_in("requested")
    colleague = member("intake", cast.riverside)
    # Each caller, its checks passed, waits for the other: without the row lock
    # both pass them and the second answer overwrites the first. With it the
    # second is still waiting for the row, so the first goes on after a moment.
    both_checked = threading.Barrier(2, timeout=3.0)

    def wait_for_the_other(referral):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()

    monkeypatch.setattr(referral_base, "_transition_checked", wait_for_the_other)

    def answer(user, status):
        return lambda: referral_services.referral_move(
            referral=Referral.objects.get(pk=referral.pk),
            by=user,
            status=status,
            reason="Not eligible" if status == "rejected" else "",
        )

    results = run_together(
        answer(cast.partner, "accepted"), answer(colleague, "rejected")
    )
    made = [r for r in results if isinstance(r, Referral)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert "cannot become" in refused[0].messages[0]
    referral.refresh_from_db()
    assert referral.status == made[0].status
    moves = ReferralEvent.objects.filter(referral=referral, kind="status")
    assert [e.to_status for e in moves.order_by("pk")] == ["requested", made[0].status]
