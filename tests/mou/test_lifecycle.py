import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accountability.models import Responsibility
from mou import services
from mou.models import MOU, Clause, MOUEvent, MOUTemplate, Signature

from .conftest import sign_all

pytestmark = pytest.mark.django_db


def test_an_mou_starts_from_the_default_template_with_parties_filled_in(
    cast, client_for
):
    response = client_for(cast.coordinator).post(
        reverse("mou:create", args=[cast.eastside.pk]),
        {"template": MOUTemplate.objects.get(is_default=True).pk},
    )
    mou = MOU.objects.get()
    assert response["Location"] == mou.get_absolute_url()
    assert mou.sections.count() == 16
    parties = mou.sections.get(kind="parties").clauses.get().text
    assert "Northside Family Services" in parties
    assert "Riverside Health Clinic" in parties
    assert "{parties}" not in parties
    assert mou.latest_revision is not None


def test_only_a_coordinator_starts_an_mou(cast, client_for):
    response = client_for(cast.partner).post(
        reverse("mou:create", args=[cast.eastside.pk]),
        {"template": MOUTemplate.objects.get().pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert not MOU.objects.exists()


def test_signing_waits_for_the_checklist(cast, draft, client_for):
    services.mou_submit_for_review(mou=draft, by=cast.partner)
    client = client_for(cast.coordinator)
    response = client.post(
        reverse("mou:transition", args=[draft.pk, "open-signing"]), follow=True
    )
    assert "Give Riverside Health Clinic at least one commitment" in response.text
    draft.refresh_from_db()
    assert draft.state == MOU.State.IN_REVIEW
    cast.eastside.shares_client_data = True
    cast.eastside.save()
    draft.sections.filter(kind="data_sharing").delete()
    assert any("Data sharing" in item for item in draft.signing_checklist())


def test_a_transition_not_allowed_now_is_explained_and_changes_nothing(
    cast, draft, client_for
):
    response = client_for(cast.coordinator).post(
        reverse("mou:transition", args=[draft.pk, "withdraw"]), follow=True
    )
    assert "An MOU that is draft cannot be withdrawn from signing" in response.text
    draft.refresh_from_db()
    assert draft.state == MOU.State.DRAFT
    with pytest.raises(ValidationError, match="cannot be opened for signing"):
        services.mou_open_signing(mou=draft, by=cast.coordinator)


def test_every_partner_signs_and_the_last_signature_executes(cast, signing):
    mou = sign_all(cast, signing, skip=[cast.housing_org])
    assert mou.state == MOU.State.SIGNING
    assert not Responsibility.objects.filter(source="mou_clause").exists()
    mou = sign_all(cast, mou, skip=[cast.northside, cast.riverside])
    assert mou.state == MOU.State.EXECUTED
    assert mou.signatures_match()
    assert set(Signature.objects.values_list("content_hash", flat=True)) == {
        mou.frozen_hash
    }
    tracked = Responsibility.objects.filter(source="mou_clause")
    assert sorted(tracked.values_list("owner__name", flat=True)) == [
        "Eastside Housing Coalition",
        "Northside Family Services",
        "Riverside Health Clinic",
    ]
    clause = tracked.get(owner=cast.riverside).source_object
    assert isinstance(clause, Clause) and clause.section.mou_id == mou.pk
    assert MOUEvent.objects.filter(mou=mou, action="execute").count() == 1
    assert ModelLogEntry.objects.filter(action="mou.execute").count() == 1


def test_a_partner_who_is_not_a_signatory_cannot_sign(cast, signing, client_for):
    response = client_for(cast.partner).get(reverse("mou:sign", args=[signing.pk]))
    assert response.status_code == 302
    with pytest.raises(PermissionDenied):
        services.mou_sign(
            mou=signing,
            by=cast.partner,
            organisation=cast.riverside,
            full_name="Priya",
            title="Navigator",
            fingerprint=signing.frozen_hash,
        )
    assert not Signature.objects.exists()
    assert ModelLogEntry.objects.filter(action="mou.sign_refused").exists()


def test_a_signatory_signs_only_for_their_own_organisation(cast, signing, client_for):
    response = client_for(cast.signatory).post(
        reverse("mou:sign", args=[signing.pk]),
        {
            "organisation": cast.northside.pk,
            "full_name": "Samuel Reed",
            "title": "CEO",
            "confirm": "on",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Signature.objects.exists()


def test_signing_twice_is_refused_and_logged(cast, signing):
    sign_all(cast, signing, skip=[cast.northside, cast.housing_org])
    with pytest.raises(ValidationError, match="has already signed"):
        sign_all(cast, signing, skip=[cast.northside, cast.housing_org])
    assert Signature.objects.count() == 1
    assert MOUEvent.objects.filter(action="sign_refused").exists()


def test_the_text_cannot_change_during_signing(cast, signing, client_for):
    section = signing.sections.first()
    with pytest.raises(ValidationError, match="Withdraw it from signing first"):
        services.mou_section_save(
            mou=signing,
            section=section,
            by=cast.coordinator,
            base_revision_id=signing.latest_revision_id,
            heading="Changed",
            kind=section.kind,
            clauses=[],
        )
    response = client_for(cast.coordinator).get(
        reverse("mou:section_edit", args=[signing.pk, section.pk]), follow=True
    )
    assert "its text cannot change" in response.text
    section.refresh_from_db()
    assert section.heading != "Changed"


def test_withdrawing_voids_the_rounds_signatures_but_keeps_them(cast, signing):
    sign_all(cast, signing, skip=[cast.housing_org])
    services.mou_withdraw(mou=signing, by=cast.coordinator)
    signing.refresh_from_db()
    assert signing.state == MOU.State.DRAFT
    assert Signature.objects.count() == 2
    assert not Signature.objects.filter(voided_at__isnull=True).exists()
    services.mou_submit_for_review(mou=signing, by=cast.coordinator)
    services.mou_open_signing(mou=signing, by=cast.coordinator)
    mou = sign_all(cast, signing, skip=[cast.housing_org])
    assert mou.state == MOU.State.SIGNING  # old signatures do not count
    assert mou.signing_round == 2


def test_a_change_after_signing_breaks_the_signatures(cast, executed, client_for):
    clause = Clause.objects.filter(section__mou=executed).first()
    clause.text += " (quietly edited)"
    clause.save()
    executed.refresh_from_db()
    assert not executed.signatures_match()
    page = client_for(cast.partner).get(executed.get_absolute_url())
    assert "signatures no longer match this text" in page.text


def test_an_amendment_supersedes_and_moves_responsibilities_without_duplicates(
    cast, executed
):
    before = set(Responsibility.objects.values_list("pk", flat=True))
    amendment = services.mou_amend(mou=executed, by=cast.coordinator)
    assert amendment.version == 2 and amendment.previous == executed
    assert amendment.sections.count() == executed.sections.count()
    section = amendment.sections.get(kind="roles")
    clauses = [
        {
            "id": c.pk,
            "text": c.text.replace("two days", "one day"),
            "responsible": c.responsible,
            "due_date": c.due_date,
            "cadence": c.cadence,
        }
        for c in section.clauses.all()
    ]
    services.mou_section_save(
        mou=amendment,
        section=section,
        by=cast.coordinator,
        base_revision_id=amendment.latest_revision_id,
        heading=section.heading,
        kind=section.kind,
        clauses=clauses,
    )
    services.mou_submit_for_review(mou=amendment, by=cast.coordinator)
    services.mou_open_signing(mou=amendment, by=cast.coordinator)
    amendment = sign_all(cast, amendment)
    executed.refresh_from_db()
    assert amendment.state == MOU.State.EXECUTED
    assert executed.state == MOU.State.SUPERSEDED
    assert set(Responsibility.objects.values_list("pk", flat=True)) == before
    titles = Responsibility.objects.values_list("title", flat=True)
    assert all("one day" in title for title in titles)
    assert all(
        r.source_object.section.mou_id == amendment.pk
        for r in Responsibility.objects.all()
    )
    # Each move is on the responsibility's own record and in the history.
    for responsibility in Responsibility.objects.all():
        assert responsibility.updates.filter(note__startswith="Now carried by").exists()
    assert ModelLogEntry.objects.filter(
        action="partnerships.edit_responsibility"
    ).count() >= len(before)


def test_a_second_amendment_while_one_is_in_progress_is_refused(cast, executed):
    services.mou_amend(mou=executed, by=cast.coordinator)
    with pytest.raises(ValidationError, match="already in progress"):
        services.mou_amend(mou=MOU.objects.get(pk=executed.pk), by=cast.coordinator)
    assert MOU.objects.filter(previous=executed).count() == 1


def test_an_expired_mou_cannot_be_amended(cast, executed, client_for):
    executed.end_date = datetime.date(2020, 1, 1)
    executed.effective_date = datetime.date(2019, 1, 1)
    executed.save()
    assert services.mou_expire_due() == 1
    assert services.mou_expire_due() == 0
    response = client_for(cast.coordinator).post(
        reverse("mou:amend", args=[executed.pk]), follow=True
    )
    assert "Only an executed MOU can be amended; this one is expired" in response.text
    assert MOU.objects.count() == 1


def test_termination_needs_a_reason(cast, executed, client_for):
    client = client_for(cast.coordinator)
    response = client.post(
        reverse("mou:terminate", args=[executed.pk]),
        {"reason": "", "effective": "2027-01-01"},
        follow=True,
    )
    assert "This field is required" in response.text
    executed.refresh_from_db()
    assert executed.state == MOU.State.EXECUTED
    client.post(
        reverse("mou:terminate", args=[executed.pk]),
        {"reason": "Funding ended.", "effective": "2027-01-01"},
    )
    executed.refresh_from_db()
    assert executed.state == MOU.State.TERMINATED
    assert executed.termination_reason == "Funding ended."


def test_a_save_over_an_older_revision_is_refused_with_what_changed(
    cast, draft, client_for
):
    section = draft.sections.get(kind="purpose")
    url = reverse("mou:section_edit", args=[draft.pk, section.pk])
    base = draft.latest_revision_id
    clause = section.clauses.first()

    def post(client, text):
        return client.post(
            url,
            {
                "heading": section.heading,
                "kind": section.kind,
                "base_revision": base,
                "clauses-TOTAL_FORMS": "1",
                "clauses-INITIAL_FORMS": "1",
                "clauses-0-id": clause.pk,
                "clauses-0-text": text,
            },
        )

    first = post(client_for(cast.partner), "Partner's wording.")
    assert first.status_code == 302
    second = post(client_for(cast.coordinator), "Coordinator's wording.")
    assert second.status_code == 200
    assert "saved this MOU while you were editing" in second.text
    assert "Partner&#x27;s wording." in second.text
    clause.refresh_from_db()
    assert clause.text == "Partner's wording."


def test_comments_on_clauses_reply_resolve_and_mention(
    cast, draft, client_for, smtp, django_capture_on_commit_callbacks
):
    clause = draft.sections.get(kind="roles").clauses.first()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.partner).post(
            reverse("mou:comment_add", args=[draft.pk]),
            {"clause": clause.pk, "body": "Should this name a person? @housing"},
        )
    comment = clause.comments.get()
    # One message per person (the outbox keeps a row for each).
    assert sorted(m.envelope_to for m in smtp.messages) == [
        [cast.coordinator.email],
        [cast.housing.email],
    ]
    client_for(cast.coordinator).post(
        reverse("mou:comment_add", args=[draft.pk]),
        {"parent": comment.pk, "body": "Yes, the intake lead."},
    )
    assert comment.replies.get().clause == clause
    client_for(cast.coordinator).post(
        reverse("mou:comment_resolve", args=[draft.pk, comment.pk])
    )
    comment.refresh_from_db()
    assert comment.resolved_by == cast.coordinator
    outsider = client_for(cast.outsider).post(
        reverse("mou:comment_add", args=[draft.pk]), {"body": "Let me in"}
    )
    assert outsider.status_code == 404
    assert draft.comments.count() == 2


def test_renewal_reminders_go_out_at_90_and_30_days_once(cast, executed):
    today = datetime.date(2027, 6, 1)
    executed.end_date = today + datetime.timedelta(days=80)
    executed.save()
    assert services.mou_renewal_reminders_send(today=today) == 1
    assert services.mou_renewal_reminders_send(today=today) == 0
    later = today + datetime.timedelta(days=55)
    assert services.mou_renewal_reminders_send(today=later) == 1
    assert services.mou_renewal_reminders_send(today=later) == 0


def test_history_lists_events_and_compares_revisions(cast, executed, client_for):
    client = client_for(cast.leader)
    page = client.get(reverse("mou:history", args=[executed.pk]))
    assert "Execute" in page.text
    revisions = list(executed.revisions.order_by("created_at"))
    compare = client.get(
        reverse("mou:compare", args=[executed.pk]),
        {"a": revisions[0].pk, "b": revisions[1].pk},
    )
    assert "refers families within two days" in compare.text


def test_the_referral_protocol_fills_the_referral_methods_section(cast, client_for):
    from mou.default_template import ensure_default_template
    from referrals import services as referral_services

    referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Families at risk",
        steps="Ask, then refer",
        fields=[],
        consent_required=True,
        consent_text="The client agrees.",
        acknowledge_days=3,
        outcome_days=20,
    )
    mou = services.mou_create_from_template(
        partnership=cast.eastside,
        template=ensure_default_template(),
        by=cast.coordinator,
    )
    texts = [c.text for c in mou.sections.get(kind="referrals").clauses.all()]
    assert "When to refer: Families at risk" in texts
    assert any("within 3 working days" in t for t in texts)
    from .conftest import commit_each_party

    commit_each_party(mou, cast.coordinator)
    services.mou_submit_for_review(mou=mou, by=cast.coordinator)
    services.mou_open_signing(mou=mou, by=cast.coordinator)
    sign_all(cast, mou)
    with pytest.raises(ValidationError, match="Start an amendment of the MOU first"):
        referral_services.protocol_save(
            partnership=cast.eastside,
            by=cast.coordinator,
            criteria="Changed",
            steps="s",
            fields=[],
            consent_required=False,
        )
    amendment = services.mou_amend(mou=MOU.objects.get(pk=mou.pk), by=cast.coordinator)
    referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Changed",
        steps="s",
        fields=[],
        consent_required=False,
    )
    services.mou_refresh_referrals(mou=amendment, by=cast.coordinator)
    texts = [c.text for c in amendment.sections.get(kind="referrals").clauses.all()]
    assert "When to refer: Changed" in texts
