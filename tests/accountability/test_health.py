import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accountability import health
from accountability import services as accountability_services
from accountability.models import HealthCheckResponse, Practice

from ..factories import member

pytestmark = pytest.mark.django_db


def ratings(*scores):
    return {p: (s, "") for p, s in zip(Practice.values, scores, strict=True)}


@pytest.fixture
def health_round(cast):
    return accountability_services.health_round_open(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Spring check",
        closes_on=datetime.date.today() + datetime.timedelta(days=10),
    )


def answer(health_round, user, organisation, scores, collaboration=None):
    return accountability_services.health_response_submit(
        health_round=health_round,
        by=user,
        organisation=organisation,
        ratings=ratings(*scores),
        collaboration=collaboration,
    )


def close(health_round, cast):
    accountability_services.health_round_close(
        health_round=health_round, by=cast.coordinator
    )
    health_round.refresh_from_db()


def test_scores_from_fewer_than_three_people_are_hidden(cast, health_round):
    riverside_staff = [cast.partner, cast.signatory, member("nurse", cast.riverside)]
    for user, score in zip(riverside_staff, [2, 3, 4], strict=True):
        answer(health_round, user, cast.riverside, [score] * 5)
    answer(health_round, cast.coordinator, cast.northside, [5] * 5)
    close(health_round, cast)
    results = health.round_results(health_round)
    overall = dict(results.practices)
    assert overall["Share accountability"].mean == 3.5  # (2+3+4+5)/4
    rows = dict(results.organisations)
    assert [s.mean for s in rows["Riverside Health Clinic"]] == [3.0] * 5
    assert all(s.hidden for s in rows["Northside Family Services"])
    assert all(s.respondents == 0 for s in rows["Eastside Housing Coalition"])


def test_two_people_alone_never_show_a_score(cast, health_round, client_for):
    answer(health_round, cast.partner, cast.riverside, [1, 1, 1, 1, 1])
    answer(health_round, cast.coordinator, cast.northside, [5, 5, 5, 5, 5])
    close(health_round, cast)
    assert all(
        score.mean is None for _, score in health.round_results(health_round).practices
    )
    page = client_for(cast.leader).get(health_round.get_absolute_url())
    assert "hidden" in page.text
    assert ">1.0<" not in page.text and ">5.0<" not in page.text


def test_pairs_two_levels_apart_are_flagged(cast, health_round, client_for):
    riverside_staff = [cast.partner, cast.signatory, member("nurse", cast.riverside)]
    northside_staff = [
        cast.coordinator,
        member("caseworker", cast.northside),
        member("intake", cast.northside),
    ]
    for user in riverside_staff:
        answer(
            health_round,
            user,
            cast.riverside,
            [3] * 5,
            {cast.northside.pk: 1, cast.housing_org.pk: 3},
        )
    for user in northside_staff:
        answer(health_round, user, cast.northside, [3] * 5, {cast.riverside.pk: 4})
    answer(
        health_round, cast.housing, cast.housing_org, [3] * 5, {cast.riverside.pk: 1}
    )
    close(health_round, cast)
    pairs = {(p.first, p.second): p for p in health.round_results(health_round).pairs}
    assert pairs[("Northside Family Services", "Riverside Health Clinic")].flagged
    # Housing alone rated Riverside: too few answers to raise a flag either way.
    assert not pairs[("Riverside Health Clinic", "Eastside Housing Coalition")].flagged
    page = client_for(cast.partner).get(health_round.get_absolute_url())
    assert "worth a conversation" in page.text


def test_a_second_answer_by_the_same_person_is_refused(cast, health_round, client_for):
    answer(health_round, cast.partner, cast.riverside, [3] * 5)
    with pytest.raises(ValidationError, match="already answered"):
        answer(health_round, cast.partner, cast.riverside, [4] * 5)
    data = {f"score_{p}": "4" for p in Practice.values}
    response = client_for(cast.partner).post(
        reverse(
            "accountability:health_respond", args=[cast.eastside.pk, health_round.pk]
        ),
        data,
    )
    assert "already answered" in response.text
    assert HealthCheckResponse.objects.count() == 1


def test_a_rating_outside_one_to_five_is_refused(cast, health_round, client_for):
    data = {f"score_{p}": "4" for p in Practice.values}
    data["score_sustain"] = "7"
    response = client_for(cast.partner).post(
        reverse(
            "accountability:health_respond", args=[cast.eastside.pk, health_round.pk]
        ),
        data,
    )
    assert response.status_code == 200
    assert "Ratings run from 1 to 5" in response.text
    assert not HealthCheckResponse.objects.exists()
    with pytest.raises(ValidationError, match="from 1 to 5"):
        answer(health_round, cast.partner, cast.riverside, [0, 3, 3, 3, 3])


def test_only_members_answer_and_only_for_their_organisation(cast, health_round):
    with pytest.raises(PermissionDenied):
        answer(health_round, cast.partner, cast.northside, [3] * 5)
    with pytest.raises(PermissionDenied):
        answer(health_round, cast.leader, cast.northside, [3] * 5)
    with pytest.raises(PermissionDenied):
        answer(health_round, cast.outsider, cast.lakeshore_org, [3] * 5)


def test_the_trend_follows_rounds_in_order(cast, health_round):
    for user, org in [
        (cast.partner, cast.riverside),
        (cast.signatory, cast.riverside),
        (cast.coordinator, cast.northside),
    ]:
        answer(health_round, user, org, [2] * 5)
    accountability_services.health_round_close(
        health_round=health_round, by=cast.coordinator
    )
    second = accountability_services.health_round_open(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Autumn check",
        closes_on=datetime.date.today(),
    )
    for user, org in [
        (cast.partner, cast.riverside),
        (cast.signatory, cast.riverside),
        (cast.coordinator, cast.northside),
    ]:
        answer(second, user, org, [4] * 5)
    close(second, cast)
    labels, series = health.trend(cast.eastside)
    assert labels == ["Spring check", "Autumn check"]
    assert series["Ensure sustainability"] == [2.0, 4.0]


def test_a_coordinator_opens_a_round_through_the_page(cast, client_for):
    client = client_for(cast.coordinator)
    response = client.post(
        reverse("accountability:health_open", args=[cast.eastside.pk]),
        {"title": "Winter check", "closes_on": "not a date"},
        follow=True,
    )
    assert "Enter the closing date as YYYY-MM-DD" in response.text
    client.post(
        reverse("accountability:health_open", args=[cast.eastside.pk]),
        {"title": "Winter check", "closes_on": "2099-01-01"},
    )
    assert cast.eastside.health_rounds.get().title == "Winter check"
    partner = client_for(cast.partner).post(
        reverse("accountability:health_open", args=[cast.eastside.pk]),
        {"title": "Mine", "closes_on": "2099-01-01"},
    )
    assert partner.status_code == 302
    assert cast.eastside.health_rounds.count() == 1


def test_a_round_closes_once(cast, health_round):
    close(health_round, cast)
    closed_at = health_round.closed_at
    with pytest.raises(ValidationError, match="closed on"):
        accountability_services.health_round_close(
            health_round=health_round, by=cast.hub
        )
    health_round.refresh_from_db()
    assert health_round.closed_at == closed_at
    closes = ModelLogEntry.objects.filter(action="partnerships.close_health_check")
    assert closes.count() == 1
