"""Every MOU transition, tried from every state: the model's state machine
allows each move only from its source states, and each service refuses a move
from the wrong state with advice, changing nothing (issue 11: removing a guard
must fail a test)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed, can_proceed

from mou import services
from mou.models import MOU, MOUEvent, Signature

from .conftest import commit_each_party, sign_all

pytestmark = pytest.mark.django_db

State = MOU.State

# The lifecycle in DESIGN.md §5: the states each transition may start from.
SOURCES = {
    "submit_for_review": {State.DRAFT},
    "request_changes": {State.IN_REVIEW},
    "open_signing": {State.IN_REVIEW},
    "withdraw": {State.SIGNING},
    "execute": {State.SIGNING},
    "supersede": {State.EXECUTED},
    "expire": {State.EXECUTED},
    "terminate": {State.EXECUTED},
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_each_transition_starts_only_from_its_source_states(name):
    for state in State:
        mou = MOU(state=state)
        allowed = can_proceed(getattr(mou, name), check_conditions=False)
        assert allowed == (state in SOURCES[name]), f"{name} from {state}"


def test_signing_opens_only_once_the_checklist_is_complete(cast, draft):
    services.mou_submit_for_review(mou=draft, by=cast.coordinator)
    mou = MOU.objects.get(pk=draft.pk)
    assert mou.signing_checklist()
    # The model's own condition, not only the service's check, holds the line.
    assert not can_proceed(mou.open_signing)
    with pytest.raises(TransitionNotAllowed):
        mou.open_signing()
    # The service answers with what is missing, item by item.
    with pytest.raises(ValidationError) as refused:
        services.mou_open_signing(mou=mou, by=cast.coordinator)
    assert (
        "Give Riverside Health Clinic at least one commitment (a clause with a "
        "responsible organisation)." in refused.value.messages
    )
    commit_each_party(mou, cast.coordinator)
    mou = MOU.objects.get(pk=draft.pk)
    assert mou.signing_checklist() == []
    assert can_proceed(mou.open_signing)


@pytest.fixture
def ready(cast, draft) -> MOU:
    """A draft whose checklist is complete: only its state stands in the way."""
    commit_each_party(draft, cast.coordinator)
    return MOU.objects.get(pk=draft.pk)


def _calls(cast):
    """Each service a person uses to move an MOU, called as someone allowed to."""
    return {
        "submit_for_review": lambda mou: services.mou_submit_for_review(
            mou=mou, by=cast.coordinator
        ),
        "request_changes": lambda mou: services.mou_request_changes(
            mou=mou, by=cast.coordinator
        ),
        "open_signing": lambda mou: services.mou_open_signing(
            mou=mou, by=cast.coordinator
        ),
        "withdraw": lambda mou: services.mou_withdraw(mou=mou, by=cast.coordinator),
        "execute": lambda mou: services.mou_execute(mou=mou, by=cast.coordinator),
        "terminate": lambda mou: services.mou_terminate(
            mou=mou,
            by=cast.coordinator,
            reason="Funding ended.",
            effective=datetime.date(2027, 1, 1),
        ),
    }


def test_every_service_refuses_a_move_from_the_wrong_state(cast, ready):
    wrong = []
    for name, call in _calls(cast).items():
        for state in set(State) - SOURCES[name]:
            MOU.objects.filter(pk=ready.pk).update(state=state)
            mou = MOU.objects.get(pk=ready.pk)
            events = MOUEvent.objects.count()
            try:
                call(mou)
            except ValidationError as error:
                expected = (
                    f"An MOU that is {mou.get_state_display().lower()} cannot be "
                    f"{services.TRANSITION_WORDS[name]}."
                )
                if expected not in error.messages:
                    wrong.append(f"{name} from {state}: {error.messages}")
            else:
                wrong.append(f"{name} from {state}: allowed")
            if MOU.objects.get(pk=ready.pk).state != state:
                wrong.append(f"{name} from {state}: state changed")
            if MOUEvent.objects.count() != events:
                wrong.append(f"{name} from {state}: history written")
    assert wrong == []


def test_signing_and_amending_are_refused_outside_their_state(cast, ready):
    for state in set(State) - {State.SIGNING}:
        MOU.objects.filter(pk=ready.pk).update(state=state, frozen_hash="a" * 64)
        with pytest.raises(ValidationError, match="only be signed while signing"):
            services.mou_sign(
                mou=MOU.objects.get(pk=ready.pk),
                by=cast.signatory,
                organisation=cast.riverside,
                full_name="Samuel Reed",
                title="CEO",
                fingerprint="a" * 64,
            )
    assert not Signature.objects.exists()
    for state in set(State) - {State.EXECUTED}:
        MOU.objects.filter(pk=ready.pk).update(state=state)
        with pytest.raises(ValidationError, match="Only an executed MOU"):
            services.mou_amend(mou=MOU.objects.get(pk=ready.pk), by=cast.coordinator)
    assert not MOU.objects.filter(previous=ready).exists()


def test_a_coordinator_cannot_execute_before_every_party_signed(cast, signing):
    sign_all(cast, signing, skip=[cast.housing_org])
    with pytest.raises(ValidationError, match="cannot be executed yet"):
        services.mou_execute(mou=MOU.objects.get(pk=signing.pk), by=cast.coordinator)
    assert MOU.objects.get(pk=signing.pk).state == State.SIGNING
    assert not MOUEvent.objects.filter(action="execute").exists()


def test_a_partner_member_cannot_run_the_coordinators_moves(cast, signing):
    """Partner members edit and submit; opening, withdrawing, executing,
    amending and terminating are the coordinators'."""
    member = cast.partner
    with pytest.raises(PermissionDenied):
        services.mou_withdraw(mou=signing, by=member)
    with pytest.raises(PermissionDenied):
        services.mou_execute(mou=signing, by=member)
    executed = sign_all(cast, signing)
    for call in (
        lambda: services.mou_amend(mou=executed, by=member),
        lambda: services.mou_terminate(
            mou=executed, by=member, reason="x", effective=datetime.date(2027, 1, 1)
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert MOU.objects.get(pk=executed.pk).state == State.EXECUTED
    assert MOU.objects.count() == 1


def test_a_partner_member_submits_but_only_a_coordinator_opens_signing(cast, ready):
    services.mou_submit_for_review(mou=ready, by=cast.partner)
    with pytest.raises(PermissionDenied):
        services.mou_open_signing(mou=MOU.objects.get(pk=ready.pk), by=cast.partner)
    assert MOU.objects.get(pk=ready.pk).state == State.IN_REVIEW
    mou = services.mou_open_signing(
        mou=MOU.objects.get(pk=ready.pk), by=cast.coordinator
    )
    assert mou.state == State.SIGNING and mou.frozen_hash == mou.content_hash()


def test_only_this_rounds_live_signatures_on_the_frozen_text_count(cast, signing):
    """The execute condition counts a party only for a signature of the current
    round, not voided, on the frozen text: rows the services never write alone
    (an old round left unvoided, a voided row, another text) do not count."""
    parties = list(signing.parties())
    signer = {
        cast.northside: cast.coordinator,
        cast.riverside: cast.signatory,
        cast.housing_org: cast.housing,
    }

    def sign_rows(**odd):
        Signature.objects.all().delete()
        for organisation in parties:
            fields = {
                "round": signing.signing_round,
                "content_hash": signing.frozen_hash,
            }
            if organisation == cast.housing_org:
                fields.update(odd)
            Signature.objects.create(
                mou=signing,
                organisation=organisation,
                signer=signer[organisation],
                full_name="A Signer",
                title="Director",
                signed_on=datetime.date(2027, 1, 1),
                **fields,
            )
        return MOU.objects.get(pk=signing.pk).all_parties_signed()

    assert sign_rows() is True
    assert sign_rows(round=signing.signing_round - 1) is False
    assert sign_rows(voided_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)) is (
        False
    )
    assert sign_rows(content_hash="b" * 64) is False


def test_an_amendment_executes_although_its_predecessor_ended_meanwhile(cast, executed):
    amendment = services.mou_amend(mou=executed, by=cast.coordinator)
    services.mou_terminate(
        mou=MOU.objects.get(pk=executed.pk),
        by=cast.coordinator,
        reason="Replaced early.",
        effective=datetime.date(2027, 1, 1),
    )
    services.mou_submit_for_review(mou=amendment, by=cast.coordinator)
    services.mou_open_signing(mou=amendment, by=cast.coordinator)
    assert sign_all(cast, amendment).state == State.EXECUTED
    # The ended agreement keeps its own ending; it is not "superseded" too.
    assert MOU.objects.get(pk=executed.pk).state == State.TERMINATED


def test_terminating_without_a_reason_is_refused_by_the_service(cast, executed):
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="Give the reason"):
            services.mou_terminate(
                mou=executed,
                by=cast.coordinator,
                reason=reason,
                effective=datetime.date(2027, 1, 1),
            )
    assert MOU.objects.get(pk=executed.pk).state == State.EXECUTED


def test_the_expiry_tick_ends_only_executed_mous_past_their_end_date(cast, ready):
    """A draft or an ended MOU past its end date is left as it is, and the tick
    carries on; an executed one still running is not touched either."""
    past, future = datetime.date(2020, 1, 1), datetime.date(2999, 1, 1)
    for state in set(State) - {State.EXECUTED}:
        MOU.objects.filter(pk=ready.pk).update(state=state, end_date=past)
        assert services.mou_expire_due() == 0
        assert MOU.objects.get(pk=ready.pk).state == state
    MOU.objects.filter(pk=ready.pk).update(state=State.EXECUTED, end_date=future)
    assert services.mou_expire_due() == 0
    MOU.objects.filter(pk=ready.pk).update(end_date=past)
    assert services.mou_expire_due() == 1
    assert MOU.objects.get(pk=ready.pk).state == State.EXPIRED


def test_a_signature_needs_the_typed_name_and_job_title(cast, signing):
    for full_name, title in (("", "CEO"), ("Samuel Reed", "  ")):
        with pytest.raises(ValidationError, match="Type your full name and job"):
            services.mou_sign(
                mou=signing,
                by=cast.signatory,
                organisation=cast.riverside,
                full_name=full_name,
                title=title,
                fingerprint=signing.frozen_hash,
            )
    assert not Signature.objects.exists()


def test_an_empty_fingerprint_never_matches_an_unfrozen_text():
    """Before signing opens (or after a withdrawal) nothing is frozen: no
    fingerprint, not even an empty one, matches it."""
    assert MOU(frozen_hash="").matches_frozen("") is False
    assert MOU(frozen_hash="a" * 64).matches_frozen("a" * 64) is True


def test_a_second_mou_cannot_start_while_one_is_in_progress(cast, draft):
    from mou.default_template import ensure_default_template

    for state in (State.DRAFT, State.IN_REVIEW, State.SIGNING):
        MOU.objects.filter(pk=draft.pk).update(state=state)
        with pytest.raises(ValidationError, match="already has an MOU in progress"):
            services.mou_create_from_template(
                partnership=cast.eastside,
                template=ensure_default_template(),
                by=cast.coordinator,
            )
    assert MOU.objects.filter(partnership=cast.eastside).count() == 1
