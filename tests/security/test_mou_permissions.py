"""Issue 10, defects 7 and 8 (MOU part): every MOU service checks who is asking,
whether it is called from a view or directly; leadership viewers only read."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accountability.models import Responsibility
from mou import services
from mou.default_template import ensure_default_template
from mou.models import MOU, Comment, Section, Signature
from partnerships.models import PartnershipRole

from ..factories import PartnershipRoleFactory
from ..mou import conftest as mou_fixtures

pytestmark = pytest.mark.django_db

# The MOU fixtures of tests/mou, shared with these attack tests.
draft = mou_fixtures.draft
signing = mou_fixtures.signing


@pytest.fixture
def leader(cast):
    """A leadership viewer of Northside who was also given the coordinator and
    signatory roles: the roles must not let a read-only membership act."""
    lead = cast.eastside_lead
    for role in (PartnershipRole.Role.COORDINATOR, PartnershipRole.Role.SIGNATORY):
        PartnershipRoleFactory(participation=lead, user=cast.leader, role=role)
    return cast.leader


@pytest.fixture
def lakeshore_mou(cast) -> MOU:
    return services.mou_create_from_template(
        partnership=cast.lakeshore,
        template=ensure_default_template(),
        by=cast.outsider,
    )


def _clauses(section: Section) -> list[dict]:
    return [{"id": c.pk, "text": c.text + " (changed)"} for c in section.clauses.all()]


def test_a_leadership_viewer_cannot_comment_edit_or_submit_through_the_services(
    cast, leader, draft
):
    section = draft.sections.first()
    with pytest.raises(PermissionDenied):
        services.comment_add(mou=draft, by=leader, body="We object.")
    with pytest.raises(PermissionDenied):
        services.mou_section_save(
            mou=draft,
            section=section,
            by=leader,
            base_revision_id=draft.latest_revision_id,
            heading="Rewritten by leadership",
            kind=section.kind,
            clauses=_clauses(section),
        )
    with pytest.raises(PermissionDenied):
        services.mou_section_remove(
            mou=draft, section=section, by=leader, base_revision_id=None
        )
    with pytest.raises(PermissionDenied):
        services.mou_submit_for_review(mou=draft, by=leader)
    with pytest.raises(PermissionDenied):
        services.mou_refresh_referrals(mou=draft, by=leader)
    draft.refresh_from_db()
    assert draft.state == MOU.State.DRAFT
    assert not Comment.objects.filter(author=leader).exists()
    assert Section.objects.filter(pk=section.pk, heading=section.heading).exists()


def test_a_leadership_viewer_cannot_sign_through_the_service(cast, leader, signing):
    with pytest.raises(PermissionDenied):
        services.mou_sign(
            mou=signing,
            by=leader,
            organisation=cast.northside,
            full_name="Lee Leader",
            title="Board chair",
            fingerprint=signing.frozen_hash,
        )
    assert not Signature.objects.exists()


def test_a_leadership_viewer_with_the_coordinator_role_cannot_run_the_lifecycle(
    cast, leader, signing
):
    for service in (services.mou_withdraw, services.mou_execute):
        with pytest.raises(PermissionDenied):
            service(mou=signing, by=leader)
    assert MOU.objects.get(pk=signing.pk).state == MOU.State.SIGNING
    with pytest.raises(PermissionDenied):
        services.mou_create_from_template(
            partnership=cast.eastside, template=ensure_default_template(), by=leader
        )


def test_a_leadership_viewer_cannot_comment_edit_submit_or_sign_by_post(
    cast, leader, draft, client_for
):
    client = client_for(leader)
    section = draft.sections.first()
    posts = [
        (reverse("mou:comment_add", args=[draft.pk]), {"body": "We object."}),
        (
            reverse("mou:section_edit", args=[draft.pk, section.pk]),
            {
                "heading": "Rewritten by leadership",
                "kind": section.kind,
                "base_revision": draft.latest_revision_id,
                "clauses-TOTAL_FORMS": "1",
                "clauses-INITIAL_FORMS": "0",
                "clauses-0-text": "Leadership decides.",
            },
        ),
        (reverse("mou:transition", args=[draft.pk, "submit"]), {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 403), url
        assert response.get("Location", "") != draft.get_absolute_url(), url
    draft.refresh_from_db()
    assert draft.state == MOU.State.DRAFT
    assert not Comment.objects.exists()
    section.refresh_from_db()
    assert section.heading != "Rewritten by leadership"

    # Once signing is open, the leader's sign POST is refused as well.
    mou_fixtures.commit_each_party(draft, cast.coordinator)
    services.mou_submit_for_review(mou=draft, by=cast.coordinator)
    signing = services.mou_open_signing(mou=draft, by=cast.coordinator)
    response = client.post(
        reverse("mou:sign", args=[signing.pk]),
        {
            "organisation": cast.northside.pk,
            "full_name": "Lee Leader",
            "title": "Board chair",
            "confirm": "on",
            "fingerprint": signing.frozen_hash,
        },
    )
    assert response.status_code in (302, 403)
    assert not Signature.objects.exists()


def test_removing_a_section_of_another_partnerships_mou_through_your_own_is_refused(
    cast, draft, lakeshore_mou
):
    victim = draft.sections.first()
    with pytest.raises(PermissionDenied):
        services.mou_section_remove(
            mou=lakeshore_mou, section=victim, by=cast.outsider, base_revision_id=None
        )
    assert Section.objects.filter(pk=victim.pk).exists()


def test_moving_a_section_of_another_partnerships_mou_through_your_own_is_refused(
    cast, draft, lakeshore_mou
):
    victim = draft.sections.first()
    with pytest.raises(PermissionDenied):
        services.mou_section_move(
            mou=lakeshore_mou, section=victim, by=cast.outsider, up=False
        )
    assert Section.objects.get(pk=victim.pk).order == victim.order


def test_resolving_a_comment_through_another_partnerships_mou_is_refused(
    cast, draft, lakeshore_mou
):
    comment = services.comment_add(mou=draft, by=cast.partner, body="Is this right?")
    with pytest.raises(PermissionDenied):
        services.comment_resolve(comment=comment, by=cast.outsider, resolved=True)
    assert Comment.objects.get(pk=comment.pk).resolved_at is None


def test_executing_an_mou_by_calling_the_service_directly_needs_a_coordinator(
    cast, signing
):
    for stranger in (cast.stranger, cast.partner, cast.outsider):
        with pytest.raises(PermissionDenied):
            services.mou_execute(mou=signing, by=stranger)
    assert MOU.objects.get(pk=signing.pk).state == MOU.State.SIGNING
    assert not Responsibility.objects.filter(source="mou_clause").exists()


def test_every_mou_service_refuses_a_stranger(cast, signing):
    """A stranger (no organisation in the partnership) is refused by each service a
    person triggers, before anything is read or written."""
    section = signing.sections.first()
    comment = services.comment_add(mou=signing, by=cast.partner, body="A question")
    calls = {
        "create": lambda: services.mou_create_from_template(
            partnership=cast.eastside,
            template=ensure_default_template(),
            by=cast.stranger,
        ),
        "section_save": lambda: services.mou_section_save(
            mou=signing,
            section=section,
            by=cast.stranger,
            base_revision_id=None,
            heading="x",
            kind=section.kind,
            clauses=[],
        ),
        "section_remove": lambda: services.mou_section_remove(
            mou=signing, section=section, by=cast.stranger, base_revision_id=None
        ),
        "section_move": lambda: services.mou_section_move(
            mou=signing, section=section, by=cast.stranger, up=False
        ),
        "refresh_referrals": lambda: services.mou_refresh_referrals(
            mou=signing, by=cast.stranger
        ),
        "submit": lambda: services.mou_submit_for_review(mou=signing, by=cast.stranger),
        "request_changes": lambda: services.mou_request_changes(
            mou=signing, by=cast.stranger
        ),
        "open_signing": lambda: services.mou_open_signing(
            mou=signing, by=cast.stranger
        ),
        "withdraw": lambda: services.mou_withdraw(mou=signing, by=cast.stranger),
        "execute": lambda: services.mou_execute(mou=signing, by=cast.stranger),
        "sign": lambda: services.mou_sign(
            mou=signing,
            by=cast.stranger,
            organisation=cast.riverside,
            full_name="S",
            title="S",
            fingerprint=signing.frozen_hash,
        ),
        "amend": lambda: services.mou_amend(mou=signing, by=cast.stranger),
        "terminate": lambda: services.mou_terminate(
            mou=signing, by=cast.stranger, reason="x", effective=None
        ),
        "comment": lambda: services.comment_add(
            mou=signing, by=cast.stranger, body="x"
        ),
        "resolve": lambda: services.comment_resolve(
            comment=comment, by=cast.stranger, resolved=True
        ),
    }
    allowed = []
    refusals = ModelLogEntry.objects.filter(action="mou.refused", user=cast.stranger)
    for name, call in calls.items():
        recorded = refusals.count()
        try:
            call()
        except PermissionDenied:
            # Each refusal is in the audit log (signing has its own entry).
            if name != "sign" and refusals.count() != recorded + 1:
                allowed.append(f"{name}: refused but not recorded")
            continue
        except Exception as error:  # noqa: BLE001 - reported below
            allowed.append(f"{name}: {type(error).__name__}: {error}")
        else:
            allowed.append(f"{name}: succeeded")
    assert allowed == []
