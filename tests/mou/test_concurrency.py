"""Simultaneous signers and editors, on PostgreSQL (row locks are real there)."""

import threading

import pytest
from django.db import connection, connections

from mou import services
from mou.models import MOU, Clause, MOUEvent, Signature
from partnerships.models import Responsibility

from .conftest import sign_all

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locking"
    ),
]


def run_together(*jobs):
    """Start the jobs at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def runner(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_last_signatures_at_once_both_count_and_execute_once(cast, signing):
    sign_all(cast, signing, skip=[cast.riverside, cast.housing_org])

    def signer(user, organisation):
        return lambda: services.mou_sign(
            mou=MOU.objects.get(pk=signing.pk),
            by=user,
            organisation=organisation,
            full_name=user.username,
            title="Director",
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
