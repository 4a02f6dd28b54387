"""Defect 4: health-check answers cannot be traced to a person."""

import datetime

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accountability import health
from accountability import services as accountability_services
from accountability.models import Practice

from ..factories import member

pytestmark = pytest.mark.django_db


def answer(health_round, user, organisation, score):
    accountability_services.health_response_submit(
        health_round=health_round,
        by=user,
        organisation=organisation,
        ratings=dict.fromkeys(Practice.values, (score, "")),
    )


@pytest.fixture
def health_round(cast):
    return accountability_services.health_round_open(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Spring check",
        closes_on=datetime.date.today() + datetime.timedelta(days=10),
    )


def test_watching_the_live_average_does_not_reveal_the_fourth_answer(
    cast, health_round, client_for
):
    """With three answers of 4 the page showed 4.0; after a fourth it showed
    3.25, so the fourth person scored 1. Nothing shows until the round closes."""
    people = [cast.partner, cast.signatory, member("nurse", cast.riverside)]
    for person in people:
        answer(health_round, person, cast.riverside, 4)
    page = client_for(cast.coordinator).get(health_round.get_absolute_url())
    assert "4.0" not in page.text
    assert "Results appear when the round closes" in page.text
    answer(health_round, cast.coordinator, cast.northside, 1)
    page = client_for(cast.coordinator).get(health_round.get_absolute_url())
    assert "3.25" not in page.text
    assert all(
        score.mean is None for _, score in health.round_results(health_round).practices
    )
    index = client_for(cast.coordinator).get(
        reverse("accountability:health", args=[cast.eastside.pk])
    )
    assert "3.25" not in index.text and "4.0" not in index.text

    accountability_services.health_round_close(
        health_round=health_round, by=cast.coordinator
    )
    health_round.refresh_from_db()
    page = client_for(cast.coordinator).get(health_round.get_absolute_url())
    assert "3.25" in page.text


def test_history_says_an_answer_arrived_never_who_gave_it(
    cast, health_round, client_for
):
    cast.signatory.first_name, cast.signatory.last_name = "Priya", "Nair"
    cast.signatory.save()
    answer(health_round, cast.signatory, cast.riverside, 2)
    entry = ModelLogEntry.objects.get(action="partnerships.answer_health_check")
    assert entry.user is None
    assert "organisation" not in entry.data
    history = client_for(cast.partner).get(
        reverse("partnerships:history", args=[cast.eastside.pk])
    )
    assert "A response to Spring check was recorded" in history.text
    assert "Priya" not in history.text
    assert "Someone from Riverside" not in history.text
