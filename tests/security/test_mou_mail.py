"""Issue 10, defect 10 (MOU part): people whose organisation left a partnership
get no more mail about its MOU, whether they left before or after the event.

Mail goes through a real SMTP server on loopback (the `smtp` fixture)."""

import pytest

from mou import services
from partnerships.models import Participation

from ..mou import conftest as mou_fixtures
from ..mou.conftest import sign_all

pytestmark = pytest.mark.django_db

# The MOU fixtures of tests/mou, shared with these attack tests.
draft = mou_fixtures.draft
signing = mou_fixtures.signing


def remove_northside(cast) -> None:
    Participation.objects.filter(
        partnership=cast.eastside, organisation=cast.northside
    ).delete()


def test_a_watcher_whose_organisation_left_gets_no_comment_mail(
    cast, draft, smtp, django_capture_on_commit_callbacks
):
    # The coordinator started the MOU, so watches it; housing watches by commenting.
    services.comment_add(mou=draft, by=cast.housing, body="Looks good to us.")
    remove_northside(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            mou=draft,
            by=cast.partner,
            body="@coordinator @housing please check the referral clause.",
        )
    assert smtp.to(cast.housing.email), "people still in the partnership get it"
    assert smtp.to(cast.coordinator.email) == []


def test_a_comment_queued_before_the_organisation_left_is_not_delivered_to_it(
    cast, draft, smtp, django_capture_on_commit_callbacks
):
    services.comment_add(mou=draft, by=cast.housing, body="Looks good to us.")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.comment_add(
            mou=draft, by=cast.partner, body="@coordinator see the new wording."
        )
    remove_northside(cast)
    for callback in queued:
        callback()
    assert smtp.to(cast.housing.email)
    assert smtp.to(cast.coordinator.email) == []


def test_a_deactivated_watcher_gets_no_comment_mail(
    cast, draft, smtp, django_capture_on_commit_callbacks
):
    cast.coordinator.is_active = False
    cast.coordinator.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(mou=draft, by=cast.partner, body="@coordinator hello")
    assert smtp.to(cast.coordinator.email) == []


def test_the_executed_notice_queued_before_the_organisation_left_is_not_delivered(
    cast, signing, smtp, django_capture_on_commit_callbacks
):
    sign_all(cast, signing, skip=[cast.housing_org])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        sign_all(cast, signing, skip=[cast.northside, cast.riverside])
    remove_northside(cast)
    for callback in queued:
        callback()
    assert smtp.to(cast.signatory.email), "the remaining partners are told"
    assert smtp.to(cast.coordinator.email) == []
    assert smtp.to(cast.leader.email) == []
