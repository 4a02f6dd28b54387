"""Simultaneous signers and editors, on PostgreSQL (row locks are real there)."""

import contextlib
import datetime
import threading

import pytest
from django.db import connection

from accountability.models import Responsibility
from mou import services
from mou.models import MOU, Clause, MOUEvent, Signature

from ..concurrency import run_together
from .conftest import sign_all

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locking"
    ),
]


def hold_until_both_counted(monkeypatch, *, patience: float = 3.0) -> None:
    """Force the interleaving the row lock must prevent: each signer, having
    counted the signatures, waits there for the other. Without the lock both
    arrive, each having counted only its own new signature, and neither
    executes: the test fails every time. With the lock the second signer is
    still waiting for the row, so the first gives up waiting after `patience`
    seconds and commits; the second then counts both."""
    both_counted = threading.Barrier(2, timeout=patience)

    def wait_for_the_other(mou):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_counted.wait()

    monkeypatch.setattr(services, "_signatures_counted", wait_for_the_other)


def test_two_last_signatures_at_once_both_count_and_execute_once(
    cast, signing, monkeypatch
):
    sign_all(cast, signing, skip=[cast.riverside, cast.housing_org])
    hold_until_both_counted(monkeypatch)

    def signer(user, organisation):
        return lambda: services.mou_sign(
            mou=MOU.objects.get(pk=signing.pk),
            by=user,
            organisation=organisation,
            full_name=user.username,
            title="Director",
            fingerprint=signing.frozen_hash,
        )

    results = run_together(
        signer(cast.signatory, cast.riverside), signer(cast.housing, cast.housing_org)
    )
    assert all(isinstance(r, Signature) for r in results), results
    mou = MOU.objects.get(pk=signing.pk)
    assert mou.state == MOU.State.EXECUTED
    assert mou.signatures.count() == 3
    assert MOUEvent.objects.filter(mou=mou, action="execute").count() == 1
    assert Responsibility.objects.filter(source="mou_clause").count() == 3


def test_two_editors_on_the_same_base_revision_lose_nothing(cast, draft):
    section = draft.sections.get(kind="purpose")
    clause = section.clauses.first()
    base = draft.latest_revision_id

    def editor(user, text):
        return lambda: services.mou_section_save(
            mou=MOU.objects.get(pk=draft.pk),
            section=section,
            by=user,
            base_revision_id=base,
            heading=section.heading,
            kind=section.kind,
            clauses=[{"id": clause.pk, "text": text}],
        )

    results = run_together(
        editor(cast.partner, "Partner's text"),
        editor(cast.coordinator, "Coordinator's text"),
    )
    saved = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, services.StaleEdit)]
    assert len(saved) == 1 and len(refused) == 1, results
    # The refused editor is told what the other changed; the saved text stands.
    assert refused[0].changes
    text = Clause.objects.get(pk=clause.pk).text
    assert text in ("Partner's text", "Coordinator's text")
    assert any(text in change for change in refused[0].changes)


def test_two_expiry_ticks_at_once_end_an_mou_once(cast, executed):
    """Two overlapping ticks both list the MOU as due; the second, getting
    the row after the first committed, sees it expired and moves on."""
    MOU.objects.filter(pk=executed.pk).update(
        end_date=datetime.date(2020, 1, 1), effective_date=None
    )
    results = run_together(services.mou_expire_due, services.mou_expire_due)
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results) == [0, 1]
    assert MOU.objects.get(pk=executed.pk).state == MOU.State.EXPIRED
    assert MOUEvent.objects.filter(action="expire").count() == 1
