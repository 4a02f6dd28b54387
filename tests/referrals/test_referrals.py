import contextlib
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerships import permissions
from referrals import lifecycle
from referrals import services as referral_services
from referrals.models import Referral, ReferralEvent

pytestmark = pytest.mark.django_db
STATUSES = [s.value for s in Referral.Status]


@pytest.fixture
def protocol(cast):
    return referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Families needing housing help.",
        steps="Ask consent, refer, follow up.",
        fields=[
            {
                "name": "need",
                "label": "Housing need",
                "type": "choice",
                "required": True,
                "choices": ["eviction", "homeless"],
            }
        ],
        collect_demographics=True,
        consent_required=True,
        consent_text="The client agrees that Northside shares their name and need "
        "with Riverside to arrange help; revocable any time; expires in a year.",
        acknowledge_days=2,
        outcome_days=30,
    )


def refer(cast, **overrides):
    values = {
        "partnership": cast.eastside,
        "by": cast.coordinator,
        "sender": cast.northside,
        "receiver": cast.riverside,
        "local_reference": "N-1",
        "initials": "ab",
        "birth_year": 1990,
        "details": {"need": "eviction"},
        "consent": {"given": True, "by": "The client", "scope": "Name and need"},
        **overrides,
    }
    return referral_services.referral_create(**values)


def test_a_referral_needs_consent_when_the_protocol_requires_it(cast, protocol):
    with pytest.raises(ValidationError, match="requires the client's consent"):
        refer(cast, consent={})
    with pytest.raises(ValidationError, match="consent has expired"):
        refer(
            cast,
            consent={
                "given": True,
                "by": "Client",
                "expires": datetime.date(2020, 1, 1),
            },
        )
    with pytest.raises(ValidationError, match="Housing need"):
        refer(cast, details={})
    assert not Referral.objects.exists()
    referral = refer(cast)
    assert referral.initials == "AB" and referral.consent_valid


def test_only_sender_and_receiver_see_a_referral(cast, protocol, client_for):
    referral = refer(cast)
    assert set(permissions.referrals_visible_to(cast.partner)) == {referral}
    assert not permissions.referrals_visible_to(cast.housing).exists()
    assert client_for(cast.housing).get(referral.get_absolute_url()).status_code == 404
    page = client_for(cast.partner).get(referral.get_absolute_url())
    assert "eviction" in page.text
    assert ReferralEvent.objects.filter(referral=referral, kind="viewed").count() == 1


def test_the_receiver_moves_it_and_reasons_are_required(cast, protocol):
    referral = refer(cast)
    with pytest.raises(PermissionDenied):
        referral_services.referral_move(
            referral=referral, by=cast.coordinator, status="accepted"
        )
    with pytest.raises(ValidationError, match="Give a reason"):
        referral_services.referral_move(
            referral=referral, by=cast.partner, status="rejected"
        )
    with pytest.raises(ValidationError, match="cannot become completed"):
        referral_services.referral_move(
            referral=referral, by=cast.partner, status="completed"
        )
    referral.refresh_from_db()
    assert referral.status == "requested"
    referral_services.referral_move(
        referral=referral, by=cast.partner, status="accepted"
    )
    referral_services.referral_move(
        referral=referral, by=cast.partner, status="completed"
    )
    referral_services.referral_feedback(
        referral=referral, by=cast.partner, feedback="Housed.", satisfaction=5
    )
    referral.refresh_from_db()
    assert referral.loop_closed_at and referral.acknowledged_at
    # The sender may cancel an open one, nothing else.
    other = refer(cast, local_reference="N-2")
    referral_services.referral_move(
        referral=other,
        by=cast.coordinator,
        status="cancelled",
        reason="Family moved away",
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    moves=st.lists(
        st.tuples(st.sampled_from(STATUSES), st.booleans(), st.booleans()), max_size=8
    )
)
def test_random_move_sequences_leave_a_history_that_obeys_the_lifecycle(
    cast, protocol, moves
):
    referral = refer(cast, local_reference=f"H-{Referral.objects.count()}")
    for status, as_receiver, with_reason in moves:
        user = cast.partner if as_receiver else cast.coordinator
        with contextlib.suppress(ValidationError, PermissionDenied):
            referral_services.referral_move(
                referral=referral,
                by=user,
                status=status,
                reason="because" if with_reason else "",
            )
    events = list(referral.events.filter(kind="status").order_by("at", "pk"))
    current = "requested"
    for event in events[1:]:
        assert event.from_status == current
        assert lifecycle.allowed(current, event.to_status)
        if event.to_status in lifecycle.NEEDS_REASON:
            assert event.reason
        if event.to_status in lifecycle.BY_SENDER:
            assert event.organisation_id == cast.northside.pk
        else:
            assert event.organisation_id == cast.riverside.pk
        current = event.to_status
    referral.refresh_from_db()
    assert referral.status == current


def test_the_inbox_counts_what_is_not_yet_acknowledged(cast, protocol, client_for):
    refer(cast)
    refer(cast, local_reference="N-2")
    page = client_for(cast.partner).get(reverse("referrals:inbox"))
    assert "2 referrals not yet acknowledged" in page.text
    outsider = client_for(cast.housing).get(reverse("referrals:inbox"))
    assert "N-1" not in outsider.text


def test_late_referrals_remind_the_receiver_once(cast, protocol):
    from django.utils import timezone

    referral = refer(cast)
    later = timezone.now() + datetime.timedelta(days=5)
    assert referral_services.referral_reminders_send(now=later) == 1
    assert referral_services.referral_reminders_send(now=later) == 0
    referral_services.referral_move(
        referral=referral, by=cast.partner, status="accepted"
    )
    much_later = timezone.now() + datetime.timedelta(days=40)
    assert referral_services.referral_reminders_send(now=much_later) == 1
