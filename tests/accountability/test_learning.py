import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accountability import services
from accountability.models import LearningEntry

pytestmark = pytest.mark.django_db


def entry_data(**overrides):
    return {
        "title": "Hand-offs fail on Fridays",
        "kind": "reflection",
        "practice": "communicate",
        "happened_on": "2026-10-01",
        "what_happened": "Three referrals were lost.",
        "what_we_learned": "No one covers the intake line on Fridays.",
        "what_we_change": "Rota for Friday cover.",
        "proposal_kind": "mou",
        "proposal": "Name a Friday contact in the MOU.",
        **overrides,
    }


def test_a_partner_logs_a_lesson_and_the_coordinator_accepts_the_proposal(
    cast, client_for
):
    response = client_for(cast.partner).post(
        reverse("accountability:learning_add", args=[cast.eastside.pk]), entry_data()
    )
    entry = LearningEntry.objects.get()
    assert response["Location"] == entry.get_absolute_url()
    assert entry.organisation == cast.riverside
    assert entry.proposal_status == "open"
    refused = client_for(cast.partner).post(
        reverse("accountability:learning_decide", args=[cast.eastside.pk, entry.pk]),
        {"decision": "accept"},
    )
    assert refused.status_code == 302
    entry.refresh_from_db()
    assert entry.proposal_status == "open"
    client_for(cast.coordinator).post(
        reverse("accountability:learning_decide", args=[cast.eastside.pk, entry.pk]),
        {"decision": "accept", "note": "Agreed at the review."},
    )
    entry.refresh_from_db()
    assert entry.proposal_status == "accepted"
    assert entry.decided_by == cast.coordinator
    page = client_for(cast.leader).get(entry.get_absolute_url())
    assert "Agreed at the review." in page.text


def test_a_proposal_needs_words(cast, client_for):
    response = client_for(cast.partner).post(
        reverse("accountability:learning_add", args=[cast.eastside.pk]),
        entry_data(proposal=""),
    )
    assert "Say what should change" in response.text
    assert not LearningEntry.objects.exists()


def test_the_log_filters_by_practice_and_leaders_cannot_add(cast, client_for):
    client_for(cast.partner).post(
        reverse("accountability:learning_add", args=[cast.eastside.pk]), entry_data()
    )
    client = client_for(cast.leader)
    url = reverse("accountability:learning", args=[cast.eastside.pk])
    assert "Hand-offs fail" in client.get(url, {"practice": "communicate"}).text
    assert "Hand-offs fail" not in client.get(url, {"practice": "sustain"}).text
    assert "New entry" not in client.get(url).text
    response = client.post(
        reverse("accountability:learning_add", args=[cast.eastside.pk]), entry_data()
    )
    assert response.status_code == 302
    assert LearningEntry.objects.count() == 1


def test_a_logic_model_proposal_offers_the_coordinator_a_new_draft(cast, client_for):
    add = reverse("accountability:learning_add", args=[cast.eastside.pk])
    client_for(cast.partner).post(add, entry_data(proposal_kind="logic_model"))
    client_for(cast.partner).post(add, entry_data(title="About the MOU"))
    logic, mou = LearningEntry.objects.order_by("pk")
    draft = reverse("logicmodels:from_proposal", args=[cast.eastside.pk, logic.pk])

    page = client_for(cast.coordinator).get(logic.get_absolute_url())
    assert "Open a new draft of the logic model" in page.text
    assert f'action="{draft}"' in page.text
    # Only to those who coordinate, and only for proposals about the logic model.
    assert draft not in client_for(cast.partner).get(logic.get_absolute_url()).text
    page = client_for(cast.coordinator).get(mou.get_absolute_url())
    assert "Open a new draft" not in page.text


@pytest.mark.parametrize("first, then", [("accept", False), ("decline", True)])
def test_a_proposal_is_decided_once(cast, client_for, first, then):
    client_for(cast.partner).post(
        reverse("accountability:learning_add", args=[cast.eastside.pk]), entry_data()
    )
    entry = LearningEntry.objects.get()
    decided = services.learning_proposal_decide(
        entry=entry, by=cast.coordinator, accept=first == "accept", note="First."
    )
    with pytest.raises(ValidationError, match="already been decided"):
        services.learning_proposal_decide(
            entry=entry, by=cast.hub, accept=then, note="Second."
        )
    entry.refresh_from_db()
    assert entry.proposal_status == decided.proposal_status
    assert (entry.decided_by, entry.decision_note) == (cast.coordinator, "First.")


def test_an_entry_without_a_proposal_has_nothing_to_decide(cast, client_for):
    client_for(cast.partner).post(
        reverse("accountability:learning_add", args=[cast.eastside.pk]),
        entry_data(proposal_kind="", proposal=""),
    )
    entry = LearningEntry.objects.get()
    with pytest.raises(ValidationError, match="no proposal to decide"):
        services.learning_proposal_decide(entry=entry, by=cast.coordinator, accept=True)
    entry.refresh_from_db()
    assert entry.proposal_status == "" and entry.decided_by is None
