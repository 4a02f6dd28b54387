"""The public screener: answers checked against their version, counted without
identifiers, and the matches shown with reasons."""

import pytest
from django.urls import reverse

from screener import screens
from screener.models import NeedCount, QuestionnaireVersion

from ..factories import DirectoryServiceFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_answers_and_gets_explained_matches(questionnaire, client):
    DirectoryServiceFactory(
        name="Tenant rescue fund", category="housing", languages="English, Spanish"
    )
    DirectoryServiceFactory(name="Choir", category="other")
    page = client.get(reverse("screener:start"))
    assert "Are you worried about keeping your home?" in page.text
    response = client.post(
        reverse("screener:start"),
        {"zip": "01101", "housing": "yes", "language": "es", "food": "no"},
    )
    assert response.status_code == 302
    results = client.get(response["Location"])
    assert "Tenant rescue fund" in results.text
    assert "Choir" not in results.text
    assert "Helps with: Housing" in results.text
    assert "Speaks Spanish" in results.text
    # Counted: housing in area 011 this month; nothing else about the screen.
    assert list(NeedCount.objects.values_list("domain", "area", "screens")) == [
        ("housing", "011", 1)
    ]


@pytest.mark.parametrize(
    "answers,message",
    [
        ({"zip": "1101", "housing": "no"}, "A ZIP code is five digits"),
        ({"zip": "01101", "housing": "no", "age": "-3"}, "Give an age in whole years"),
        ({"zip": "01101", "housing": "no", "age": "140"}, "Give an age in whole years"),
        ({"zip": "01101", "housing": "maybe"}, "Choose one of the answers"),
        ({"zip": "01101"}, "Please answer: Are you worried"),
        ({"zip": "01101", "housing": "no", "income": "lots"}, "number of dollars"),
    ],
)
def test_bad_answers_get_a_clear_message_and_change_nothing(
    questionnaire, client, answers, message
):
    response = client.post(reverse("screener:start"), answers)
    assert response.status_code == 400
    assert message in response.text
    assert not NeedCount.objects.exists()


def test_answers_to_questions_not_asked_are_dropped(questionnaire, client):
    # "rent" is asked only after housing=yes: with housing=no it does not count.
    client.post(
        reverse("screener:start"), {"zip": "01101", "housing": "no", "rent": "yes"}
    )
    assert not NeedCount.objects.filter(domain="income").exists()


def test_editing_makes_a_new_version_and_old_answers_read_against_theirs(
    questionnaire, client
):
    first = questionnaire.current
    token = screens.token_for(first, {"zip": ["01101"], "housing": ["yes"]})
    data = list(questionnaire.questions.raw_data)
    data[3]["value"]["answers"][0]["value"]["categories"] = ["legal"]
    questionnaire.questions = data
    questionnaire.save()
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 2
    questionnaire.save()  # unchanged: no new version
    assert questionnaire.versions.count() == 2
    version, _answers, needs = screens.from_token(token)
    assert version == first
    assert needs.categories == {"housing"}
    assert screens.current_version().number == 2


def test_a_tampered_list_link_is_refused(questionnaire, client):
    response = client.get(reverse("screener:results"), {"r": "x" * 30})
    assert response.status_code == 400
    assert "This list has expired" in response.text
