"""API tokens: issued, rotated and revoked by the organisation's own
administrators in the admin, kept only as a hash, each change in the audit
log; a rotated key and a revoked token stop working at once."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import ModelLogEntry

from api import services
from api.models import ApiToken, key_hash

pytestmark = pytest.mark.django_db


def read(client, key):
    return client.get(
        reverse("read_api:partnerships"), HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def test_an_administrator_issues_a_token_shown_once_and_kept_as_a_hash(cast, client):
    client.force_login(cast.signatory)
    response = client.post(
        reverse("api_tokens:index"),
        {"organisation": cast.riverside.pk, "name": "Clinic EHR", "scope": "read"},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Clinic EHR")
    key = response.context["new_key"]
    assert key in response.text
    assert token.key_hash == key_hash(key) != key
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    # Shown once: the list no longer carries it.
    assert key not in client.get(reverse("api_tokens:index")).text
    assert read(client, key).status_code == 200
    assert ModelLogEntry.objects.filter(action="api.token_create").count() == 1


def test_only_the_organisations_administrators_manage_its_tokens(cast, client, tokens):
    # A member who is not an administrator, and another organisation's
    # administrator, are refused, in the service and in the admin.
    for user in [cast.partner, cast.coordinator]:
        with pytest.raises(PermissionDenied):
            services.token_create(
                organisation=cast.riverside, by=user, name="x", scope="read"
            )
        client.force_login(user)
        response = client.post(
            reverse("api_tokens:index"),
            {"organisation": cast.riverside.pk, "name": "x", "scope": "read"},
        )
        # Wagtail answers an admin view's refusal with the dashboard.
        assert (response.status_code, response["Location"]) == (302, "/admin/")
        riverside = tokens.tokens["riverside"]
        for action in ["rotate", "revoke"]:
            response = client.post(reverse(f"api_tokens:{action}", args=[riverside.pk]))
            assert response.status_code == 404
        assert (
            client.get(reverse("api_tokens:uses", args=[riverside.pk])).status_code
            == 404
        )
        assert "riverside system" not in client.get(reverse("api_tokens:index")).text
    assert not ApiToken.objects.filter(name="x").exists()
    riverside.refresh_from_db()
    assert (
        riverside.active and read(client, tokens.keys["riverside"]).status_code == 200
    )


def test_rotating_replaces_the_key_at_once(cast, client, tokens):
    client.force_login(cast.signatory)
    token = tokens.tokens["riverside"]
    response = client.post(reverse("api_tokens:rotate", args=[token.pk]))
    new_key = response.context["new_key"]
    assert read(client, tokens.keys["riverside"]).status_code == 401
    assert read(client, new_key).status_code == 200
    assert ModelLogEntry.objects.filter(action="api.token_rotate").count() == 1


def test_a_revoked_token_is_refused_for_good(cast, client, tokens):
    client.force_login(cast.signatory)
    token = tokens.tokens["riverside"]
    client.post(reverse("api_tokens:revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.user.is_active
    response = read(client, tokens.keys["riverside"])
    assert response.status_code == 401
    assert ModelLogEntry.objects.filter(action="api.token_revoke").count() == 1
    with pytest.raises(Exception, match="revoked"):
        services.token_rotate(token=token, by=cast.signatory)


def test_the_use_log_lists_each_request(cast, client, tokens):
    read(client, tokens.keys["riverside"])
    client.force_login(cast.signatory)
    page = client.get(reverse("api_tokens:uses", args=[tokens.tokens["riverside"].pk]))
    assert "GET /api/v1/partnerships" in page.text


def test_the_token_account_cannot_sign_in(tokens):
    assert not tokens.tokens["riverside"].user.has_usable_password()
