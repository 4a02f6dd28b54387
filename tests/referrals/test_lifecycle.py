"""Every referral move from every status, by each side: the FHIR SDOH task
lifecycle written out here once more by hand, so a transition that loses (or
gains) a source state, a condition or its policy check fails a test."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from referrals import lifecycle
from referrals import services as referral_services
from referrals.models import Referral, ReferralEvent

from .conftest import PATHS, SENDER_MOVES

pytestmark = pytest.mark.django_db

OPEN = ["requested", "accepted", "in-progress", "on-hold"]
WORKING = ["accepted", "in-progress", "on-hold"]
# (from, to) -> allowed. Everything not listed is refused.
ALLOWED = {
    ("requested", "accepted"),
    ("requested", "rejected"),
    ("accepted", "in-progress"),
    ("on-hold", "in-progress"),
    ("accepted", "on-hold"),
    ("in-progress", "on-hold"),
    *{(source, "completed") for source in WORKING},
    *{(source, "failed") for source in WORKING},
    *{(source, "cancelled") for source in OPEN},
    *{(source, "entered-in-error") for source in OPEN},
}
NEEDS_REASON = {"rejected", "on-hold", "failed", "cancelled", "entered-in-error"}
TARGETS = [s for s in Referral.Status.values if s != "requested"]


def written(referral) -> tuple[int, int]:
    """History rows and audit entries of a referral, views not counted."""
    return (
        ReferralEvent.objects.filter(referral=referral).exclude(kind="viewed").count(),
        ModelLogEntry.objects.filter(
            content_type__model="referral", object_id=str(referral.pk)
        ).count(),
    )


def mover(cast, target):
    return cast.coordinator if target in SENDER_MOVES else cast.partner


@pytest.mark.parametrize("source", list(PATHS))
def test_each_move_from_each_status_is_made_or_refused_as_the_lifecycle_says(
    cast, referral_in, source, mailoutbox, django_capture_on_commit_callbacks
):
    for target in TARGETS:
        referral = referral_in(source)
        before = written(referral)
        mailoutbox.clear()
        if (source, target) in ALLOWED:
            with django_capture_on_commit_callbacks(execute=True):
                referral_services.referral_move(
                    referral=referral,
                    by=mover(cast, target),
                    status=target,
                    reason="Client moved",
                )
            referral.refresh_from_db()
            assert referral.status == target
            event = referral.events.exclude(kind="viewed").last()
            assert (event.from_status, event.to_status, event.reason) == (
                source,
                target,
                "Client moved",
            )
            acting = cast.northside if target in SENDER_MOVES else cast.riverside
            assert event.organisation_id == acting.pk
            entry = ModelLogEntry.objects.filter(object_id=str(referral.pk)).latest(
                "pk"
            )
            assert entry.action == "partnerships.referral_move"
            assert (entry.data["from"], entry.data["to"]) == (source, target)
            # The other side hears of it, after the commit.
            told = cast.partner if target in SENDER_MOVES else cast.coordinator
            assert [m.to for m in mailoutbox] == [[told.email]]
        else:
            with pytest.raises(ValidationError, match="cannot become"):
                referral_services.referral_move(
                    referral=referral,
                    by=mover(cast, target),
                    status=target,
                    reason="Client moved",
                )
            referral.refresh_from_db()
            assert referral.status == source
            assert written(referral) == before
            assert mailoutbox == []


@pytest.mark.parametrize("source", list(PATHS))
def test_each_side_is_offered_exactly_its_own_moves_from_each_status(
    cast, referral_in, source
):
    referral = referral_in(source)
    allowed = {target for (s, target) in ALLOWED if s == source}
    assert set(lifecycle.moves_for(cast.partner, referral)) == allowed - SENDER_MOVES
    assert set(lifecycle.moves_for(cast.coordinator, referral)) == (
        allowed & SENDER_MOVES
    )
    for nobody in (cast.leader, cast.housing, cast.hub):
        assert lifecycle.moves_for(nobody, referral) == []


@pytest.mark.parametrize("target", sorted(NEEDS_REASON))
def test_a_move_that_needs_a_reason_is_refused_without_one(cast, referral_in, target):
    source = "requested" if target in {"rejected", *SENDER_MOVES} else "accepted"
    referral = referral_in(source)
    before = written(referral)
    with pytest.raises(ValidationError, match="Give a reason"):
        referral_services.referral_move(
            referral=referral, by=mover(cast, target), status=target, reason="  "
        )
    referral.refresh_from_db()
    assert referral.status == source and written(referral) == before


@pytest.mark.parametrize("target", sorted({"accepted", "in-progress", "completed"}))
def test_a_move_without_a_reason_needs_none(cast, referral_in, target):
    referral = referral_in("requested" if target == "accepted" else "accepted")
    referral_services.referral_move(referral=referral, by=cast.partner, status=target)
    referral.refresh_from_db()
    assert referral.status == target


@pytest.mark.parametrize("target", TARGETS)
def test_the_other_side_cannot_make_a_move(cast, referral_in, target):
    source = next(s for (s, t) in sorted(ALLOWED) if t == target)
    referral = referral_in(source)
    before = written(referral)
    wrong_side = cast.partner if target in SENDER_MOVES else cast.coordinator
    for person in (wrong_side, cast.leader, cast.housing, cast.hub):
        with pytest.raises(PermissionDenied):
            referral_services.referral_move(
                referral=referral, by=person, status=target, reason="Because"
            )
    referral.refresh_from_db()
    assert referral.status == source and written(referral) == before


@pytest.mark.parametrize("source", list(PATHS))
def test_the_receiver_closes_the_loop_only_once_the_referral_is_finished(
    cast, referral_in, source, mailoutbox, django_capture_on_commit_callbacks
):
    referral = referral_in(source)
    before = written(referral)
    if source in {"completed", "failed", "rejected"}:
        with django_capture_on_commit_callbacks(execute=True):
            referral_services.referral_feedback(
                referral=referral, by=cast.partner, feedback="Housed.", satisfaction=4
            )
        referral.refresh_from_db()
        assert referral.loop_closed_at and referral.feedback == "Housed."
        assert referral.status == source
        assert referral.events.last().kind == "feedback"
        assert (
            ModelLogEntry.objects.filter(object_id=str(referral.pk)).latest("pk").action
            == "partnerships.referral_feedback"
        )
        assert [m.to for m in mailoutbox] == [[cast.coordinator.email]]
        assert lifecycle.moves_for(cast.coordinator, referral) == []
    else:
        with pytest.raises(ValidationError, match="Update its status first"):
            referral_services.referral_feedback(
                referral=referral, by=cast.partner, feedback="Housed.", satisfaction=4
            )
        referral.refresh_from_db()
        assert referral.loop_closed_at is None and written(referral) == before


@pytest.mark.parametrize("source", ["requested", "in-progress", "completed"])
def test_either_party_records_revoked_consent_in_any_status(
    cast, referral_in, source, mailoutbox, django_capture_on_commit_callbacks
):
    referral = referral_in(source)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_consent_revoke(
            referral=referral, by=cast.partner, reason="Client phoned"
        )
    referral.refresh_from_db()
    assert referral.consent_revoked_at and referral.status == source
    event = referral.events.last()
    assert (event.kind, event.organisation_id) == ("consent revoked", cast.riverside.pk)
    assert (
        ModelLogEntry.objects.filter(object_id=str(referral.pk)).latest("pk").action
        == "partnerships.referral_consent_revoke"
    )
    assert [m.to for m in mailoutbox] == [[cast.coordinator.email]]


def test_the_status_changes_only_through_a_transition(referral_in):
    referral = referral_in("requested")
    with pytest.raises(AttributeError):
        referral.status = "completed"
    assert Referral.objects.get(pk=referral.pk).status == "requested"


@pytest.mark.parametrize("source", ["requested", "completed"])
def test_someone_outside_the_referral_learns_nothing_from_a_refused_move(
    cast, referral_in, source
):
    """Housing takes part in the partnership but not in this referral: every
    move it tries is refused alike, so the refusals do not tell it the status."""
    referral = referral_in(source)
    for person in (cast.housing, cast.hub):
        for target in TARGETS:
            with pytest.raises(PermissionDenied) as refused:
                referral_services.referral_move(
                    referral=referral, by=person, status=target, reason="Because"
                )
            assert "Only the two organisations" in str(refused.value)
        with pytest.raises(PermissionDenied):
            referral_services.referral_feedback(
                referral=referral, by=person, feedback="Done"
            )


def test_the_status_control_starts_on_choose_and_a_blank_choice_changes_nothing(
    cast, referral_in, client_for
):
    referral = referral_in("requested")
    url = referral.get_absolute_url()
    page = client_for(cast.coordinator).get(url).text
    # One click on "Update status" must not cancel a referral: nothing is
    # chosen until the person chooses.
    assert '<option value="" selected>Choose…</option>' in page
    assert page.index("Choose…") < page.index('value="cancelled"')
    client_for(cast.coordinator).post(
        url, {"action": "move", "status": "", "reason": ""}, follow=True
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REQUESTED
