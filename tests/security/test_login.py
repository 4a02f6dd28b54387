"""Login lockout: what someone guessing passwords, or trying to lock another person
out, can and cannot do (issue 10, defect 12)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 3
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.20"
PROXY = "10.0.0.2"
NEW = "a-fresh-long-password"
LOCKED = "Too many failed attempts from your address for this account"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_MAX_FAILURES = LIMIT
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.TRUSTED_PROXY_COUNT = 0


def attempt(client, username, password, **meta):
    return client.post(
        reverse("wagtailadmin_login"),
        {"username": username, "password": password},
        **meta,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def fail_until_locked(client, username, **meta):
    for _ in range(LIMIT):
        attempt(client, username, "wrong-guess", **meta)


def test_an_attacker_cannot_lock_a_signatory_out_from_elsewhere(cast, client):
    fail_until_locked(client, "signatory", REMOTE_ADDR=ATTACKER)

    client.cookies.clear()
    response = attempt(client, "signatory", PASSWORD, REMOTE_ADDR=OFFICE)
    assert logged_in(response)


def test_one_client_behind_the_proxy_cannot_lock_out_another(cast, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_until_locked(
        client, "partner", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER
    )

    client.cookies.clear()
    response = attempt(
        client, "signatory", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE
    )
    assert logged_in(response)
    client.cookies.clear()
    response = attempt(
        client, "partner", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE
    )
    assert logged_in(response)


def test_guessing_locks_that_account_from_that_address_until_the_cool_off(cast, client):
    from axes.models import AccessAttempt

    fail_until_locked(client, "signatory", REMOTE_ADDR=ATTACKER)

    response = attempt(client, "signatory", PASSWORD, REMOTE_ADDR=ATTACKER)
    assert not logged_in(response)
    assert response.status_code == 429
    assert LOCKED in response.text
    assert "wait 15 minutes or reset your password" in response.text
    assert 'name="username"' in response.text  # Wagtail's login page, not a bare 429

    # Sixteen minutes pass.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    response = attempt(client, "signatory", PASSWORD, REMOTE_ADDR=ATTACKER)
    assert logged_in(response)


def test_a_spoofed_forwarded_for_entry_does_not_dodge_the_lock(cast, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(LIMIT):
        attempt(
            client,
            "signatory",
            "wrong-guess",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}",
        )

    response = attempt(
        client,
        "signatory",
        PASSWORD,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"192.0.2.200, {ATTACKER}",
    )
    assert not logged_in(response)
    assert LOCKED in response.text


def test_a_locked_out_person_can_reset_their_password_and_log_in(cast, client):
    fail_until_locked(client, "signatory", REMOTE_ADDR=OFFICE)

    response = client.post(
        reverse("wagtailadmin_password_reset"),
        {"email": cast.signatory.email},
        REMOTE_ADDR=OFFICE,
    )
    assert response.status_code == 302
    link = re.search(r"https?://\S+/password_reset/confirm/\S+/", mail.outbox[-1].body)
    form = client.get(link.group(0), REMOTE_ADDR=OFFICE, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW, "new_password2": NEW},
        REMOTE_ADDR=OFFICE,
    )
    assert response.status_code == 302

    response = attempt(client, "signatory", NEW, REMOTE_ADDR=OFFICE)
    assert logged_in(response)
