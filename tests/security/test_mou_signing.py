"""Issue 10, defects 5 and 12: a signature binds the text its signer was shown,
and records the address of the signer's own machine."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from mou import services
from mou.models import MOU, MOUEvent, Signature

from ..mou import conftest as mou_fixtures

pytestmark = pytest.mark.django_db

# The MOU fixtures of tests/mou, shared with these attack tests.
draft = mou_fixtures.draft
signing = mou_fixtures.signing

NEW_TEXT = "Riverside pays for all of the housing coalition's staff."


def withdraw_edit_reopen(cast, mou: MOU) -> MOU:
    """The coordinator's side of the attack: withdraw, change a clause, reopen."""
    services.mou_withdraw(mou=mou, by=cast.coordinator)
    mou = MOU.objects.get(pk=mou.pk)
    section = mou.sections.get(kind="purpose")
    services.mou_section_save(
        mou=mou,
        section=section,
        by=cast.coordinator,
        base_revision_id=mou.latest_revision_id,
        heading=section.heading,
        kind=section.kind,
        clauses=[{"text": NEW_TEXT}],
    )
    services.mou_submit_for_review(mou=mou, by=cast.coordinator)
    return services.mou_open_signing(mou=mou, by=cast.coordinator)


def fingerprint_on(page: str) -> str:
    match = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page)
    assert match, "the sign form carries the fingerprint of the text shown"
    return match.group(1)


def test_signing_with_the_fingerprint_of_an_older_text_is_refused(cast, signing):
    shown = signing.frozen_hash
    reopened = withdraw_edit_reopen(cast, signing)
    assert reopened.frozen_hash != shown

    with pytest.raises(ValidationError) as refused:
        services.mou_sign(
            mou=reopened,
            by=cast.signatory,
            organisation=cast.riverside,
            full_name="Samuel Reed",
            title="CEO",
            fingerprint=shown,
        )
    message = " ".join(refused.value.messages)
    assert "text changed after you opened the signing page" in message
    assert NEW_TEXT in message  # what changed is shown
    assert not Signature.objects.filter(voided_at__isnull=True).exists()
    assert MOU.objects.get(pk=signing.pk).state == MOU.State.SIGNING
    entry = ModelLogEntry.objects.get(action="mou.sign_refused")
    assert entry.user == cast.signatory
    assert "text changed" in entry.data["reason"]
    assert MOUEvent.objects.filter(action="sign_refused").exists()


def test_a_sign_post_built_from_the_page_before_a_withdraw_and_edit_is_refused(
    cast, signing, client_for
):
    client = client_for(cast.signatory)
    page = client.get(reverse("mou:sign", args=[signing.pk]))
    shown = fingerprint_on(page.text)
    assert shown == signing.frozen_hash

    reopened = withdraw_edit_reopen(cast, signing)
    response = client.post(
        reverse("mou:sign", args=[signing.pk]),
        {
            "organisation": cast.riverside.pk,
            "full_name": "Samuel Reed",
            "title": "CEO",
            "confirm": "on",
            "fingerprint": shown,
        },
    )
    assert response.status_code == 200
    assert "text changed after you opened the signing page" in response.text
    assert NEW_TEXT in html.unescape(response.text)
    assert not Signature.objects.filter(voided_at__isnull=True).exists()
    assert ModelLogEntry.objects.filter(action="mou.sign_refused").count() == 1
    # The page now offers the current text, to be read and signed knowingly.
    assert fingerprint_on(response.text) == reopened.frozen_hash
    assert not re.search(r'name="confirm"[^>]*checked', response.text)


def test_a_sign_post_without_a_fingerprint_is_refused(cast, signing, client_for):
    response = client_for(cast.signatory).post(
        reverse("mou:sign", args=[signing.pk]),
        {
            "organisation": cast.riverside.pk,
            "full_name": "Samuel Reed",
            "title": "CEO",
            "confirm": "on",
        },
    )
    assert response.status_code == 200
    assert "Reload the signing page" in response.text
    assert not Signature.objects.exists()


def test_a_forged_forwarded_for_header_does_not_become_the_signers_address(
    cast, signing, client_for, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client_for(cast.signatory).post(
        reverse("mou:sign", args=[signing.pk]),
        {
            "organisation": cast.riverside.pk,
            "full_name": "Samuel Reed",
            "title": "CEO",
            "confirm": "on",
            "fingerprint": signing.frozen_hash,
        },
        # The client wrote the first entry; our one proxy appended the second.
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.7",
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 302
    assert Signature.objects.get().ip_address == "203.0.113.7"
