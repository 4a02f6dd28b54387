"""The visitor keeps the list: print, e-mail or text it to themselves. The
address or number is used once and stored nowhere; bad ones get a message."""

import pytest
from django.core import mail
from django.urls import reverse

from directory.models import DirectoryService
from screener import sms

from ..factories import DirectoryServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def results_url(questionnaire, client):
    DirectoryServiceFactory(
        name="Tenant rescue fund", category="housing", phone="(413) 555-0199"
    )
    response = client.post(
        reverse("screener:start"), {"zip": "01101", "housing": "yes"}
    )
    return response["Location"]


def _token(url):
    return url.split("?r=", 1)[1]


def test_the_list_prints_and_emails_to_the_visitor_only(
    results_url, client, django_capture_on_commit_callbacks
):
    page = client.get(results_url)
    assert "data-print" in page.text and "window.print()" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("screener:results"),
            {"r": _token(results_url), "channel": "email", "email": "me@example.org"},
        )
    assert "Sent to your e-mail" in sent.text
    [message] = mail.outbox
    assert message.to == ["me@example.org"]
    assert "Tenant rescue fund" in message.body
    assert "Helps with: Housing" in message.body


def test_the_list_is_texted_through_the_configured_sender(
    results_url, client, settings
):
    settings.SMS_BACKEND = "screener.sms.LocmemBackend"
    sms.outbox.clear()
    sent = client.post(
        reverse("screener:results"),
        {"r": _token(results_url), "channel": "sms", "phone": "(413) 555-0123"},
    )
    assert "Sent by text message" in sent.text
    [(to, body)] = sms.outbox
    assert to == "+14135550123"
    assert "Tenant rescue fund (413) 555-0199" in body
    assert "/screener/results/?r=" in body


@pytest.mark.parametrize(
    "channel,field,value,message",
    [
        ("email", "email", "not-an-address", "Enter an e-mail address"),
        ("sms", "phone", "12345", "Enter a mobile number with ten digits"),
    ],
)
def test_a_bad_address_or_number_gets_a_message_and_sends_nothing(
    results_url, client, settings, channel, field, value, message
):
    settings.SMS_BACKEND = "screener.sms.LocmemBackend"
    sms.outbox.clear()
    response = client.post(
        reverse("screener:results"),
        {"r": _token(results_url), "channel": channel, field: value},
    )
    assert response.status_code == 400
    assert message in response.text
    assert mail.outbox == [] and sms.outbox == []


def test_the_results_page_costs_a_bounded_number_of_queries(
    results_url, client, django_assert_max_num_queries
):
    organisation = DirectoryService.objects.first().organisation
    DirectoryService.objects.bulk_create(
        DirectoryService(
            organisation=organisation, name=f"Housing {n}", category="housing"
        )
        for n in range(300)
    )
    with django_assert_max_num_queries(8):
        page = client.get(results_url)
    assert page.text.count("data-match>") == 20
