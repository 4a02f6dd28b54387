"""Referrals as FHIR R4 (Gravity SDOH Clinical Care): each reads as
ServiceRequest, Task, Consent and a minimal Patient that the FHIR library
accepts; the receiver's system moves a referral with a Task update exactly as
the workspace's form does; everyone else is refused and nothing changes."""

import json

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task
from wagtail.models import ModelLogEntry

from api.models import ApiTokenUse
from referrals import services as referral_services
from referrals.models import Referral, ReferralEvent

pytestmark = pytest.mark.django_db


def url(kind: str, referral) -> str:
    return reverse(f"fhir_api:{kind}", args=[referral.pk])


def put_task(client, referral, header, **fields):
    body = {"resourceType": "Task", "id": str(referral.pk), **fields}
    return client.put(
        url("task", referral),
        data=json.dumps(body),
        content_type="application/fhir+json",
        **header,
    )


def refused(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/fhir+json"
    outcome = OperationOutcome.model_validate(response.json())
    return outcome.issue[0].diagnostics


def history(referral) -> list:
    return list(
        ReferralEvent.objects.filter(referral=referral).values_list(
            "kind", "from_status", "to_status", "organisation_id", "reason"
        )
    )


def test_a_referral_reads_as_resources_the_fhir_library_accepts(
    cast, client, tokens, referral_in
):
    referral = referral_in("requested")
    for name in ("riverside", "northside"):
        header = tokens.header(name)
        request = ServiceRequest.model_validate(
            client.get(url("servicerequest", referral), **header).json()
        )
        assert request.status == "active" and request.intent == "order"
        assert request.requester.reference == f"Organization/{cast.northside.pk}"
        assert request.performer[0].reference == f"Organization/{cast.riverside.pk}"
        assert "Housing need: eviction" in [n.text for n in request.note]
        task = Task.model_validate(client.get(url("task", referral), **header).json())
        assert task.status == "requested"
        assert task.focus.reference == f"ServiceRequest/{referral.pk}"
        assert task.meta.profile[0].endswith("SDOHCC-TaskForReferralManagement")
        consent = Consent.model_validate(
            client.get(url("consent", referral), **header).json()
        )
        assert consent.status == "active"
        data = client.get(url("patient", referral), **header).json()
        patient = Patient.model_validate(data)
        assert patient.birthDate == 1990 or str(patient.birthDate) == "1990"
        # Only what the protocol collects: no name beyond initials, no gender,
        # no full birth date, no contact details.
        assert set(data) <= {
            "resourceType",
            "id",
            "meta",
            "identifier",
            "name",
            "birthDate",
            "address",
            "communication",
            "managingOrganization",
        }
        assert data["name"] == [{"text": "AB"}]
    # Each read of client details is in the referral's history.
    assert ReferralEvent.objects.filter(referral=referral, kind="viewed").count() == 4


def test_the_task_list_is_a_bundle_of_the_organisations_referrals(
    client, tokens, referral_in, django_assert_max_num_queries
):
    for status in ["requested", "accepted", "completed", "requested", "failed"]:
        referral_in(status)
    # Token, its organisations, count, page, who takes part, the use log (2).
    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("fhir_api:tasks"), {"_count": 4}, **tokens.header("riverside")
        )
    bundle = Bundle.model_validate(response.json())
    assert bundle.total == 5 and len(bundle.entry) == 4
    assert {link.relation for link in bundle.link} == {"self", "next"}
    assert (
        client.get(reverse("fhir_api:tasks"), **tokens.header("housing")).json()[
            "total"
        ]
        == 0
    )
    since = client.get(
        reverse("fhir_api:tasks"),
        {"_lastUpdated": "ge2999-01-01T00:00:00Z"},
        **tokens.header("riverside"),
    ).json()
    assert since["total"] == 0


def test_a_task_update_moves_the_referral_as_the_form_would(
    cast, client, tokens, referral_in
):
    by_api = referral_in("requested")
    by_form = referral_in("requested")
    response = put_task(
        client, by_api, tokens.header("riverside"), status="accepted", intent="order"
    )
    assert response.status_code == 200
    assert Task.model_validate(response.json()).status == "accepted"
    client.force_login(cast.partner)
    client.post(
        by_form.get_absolute_url(),
        {"action": "move", "status": "accepted", "reason": ""},
    )
    client.logout()
    by_api.refresh_from_db()
    by_form.refresh_from_db()
    assert by_api.status == by_form.status == "accepted"
    assert by_api.acknowledged_at is not None
    # Same history: one event of the receiver, one audit entry, same action.
    assert history(by_api) == history(by_form)
    event = by_api.events.get(to_status="accepted")
    assert event.by == tokens.tokens["riverside"].user
    api_log = ModelLogEntry.objects.for_instance(by_api).order_by("pk").last()
    form_log = ModelLogEntry.objects.for_instance(by_form).order_by("pk").last()
    assert api_log.action == form_log.action == "partnerships.referral_move"
    assert api_log.data["to"] == form_log.data["to"] == "accepted"
    # A reason travels as statusReason.
    put_task(
        client,
        by_api,
        tokens.header("riverside"),
        status="on-hold",
        statusReason={"text": "Waiting for a bed"},
    )
    by_api.refresh_from_db()
    assert (by_api.status, by_api.status_reason) == ("on-hold", "Waiting for a bed")


@pytest.mark.parametrize(
    "token, fields, status, says",
    [
        # The sender's move, asked by the receiver.
        (
            "riverside",
            {"status": "cancelled", "statusReason": {"text": "x"}},
            403,
            "sending organisation",
        ),
        # A move that needs a reason, without one.
        ("riverside", {"status": "rejected"}, 422, "reason"),
        # A move the lifecycle does not allow from requested.
        ("riverside", {"status": "completed"}, 422, "cannot become"),
        ("riverside", {"status": "done"}, 400, "Task.status"),
        ("riverside", {"status": "accepted", "id": "999"}, 400, "id"),
        ("riverside_read", {"status": "accepted"}, 403, "only read"),
        # The receiver's move, asked by the sender.
        ("northside", {"status": "accepted"}, 403, "receiving organisation"),
        # A third organisation of the same partnership, and one outside it.
        ("housing", {"status": "accepted"}, 404, "No such referral"),
        ("lakeshore", {"status": "accepted"}, 404, "No such referral"),
    ],
)
def test_a_refused_task_update_says_why_and_changes_nothing(
    client, tokens, referral_in, token, fields, status, says
):
    referral = referral_in("requested")
    before = (history(referral), ModelLogEntry.objects.count())
    response = put_task(client, referral, tokens.header(token), **fields)
    assert says in refused(response, status)
    referral.refresh_from_db()
    assert referral.status == "requested"
    assert (history(referral), ModelLogEntry.objects.count()) == before


def test_a_body_that_is_not_a_task_is_refused(client, tokens, referral_in):
    referral = referral_in("requested")
    for body in [b"{", b'{"resourceType": "Patient"}', b"[]"]:
        response = client.put(
            url("task", referral),
            data=body,
            content_type="application/fhir+json",
            **tokens.header("riverside"),
        )
        refused(response, 400)
    referral.refresh_from_db()
    assert referral.status == "requested"


def test_a_third_organisation_reads_nothing_of_the_referral(
    client, tokens, referral_in
):
    referral = referral_in("requested")
    for token in ["housing", "lakeshore", "stranger"]:
        for kind in ["task", "servicerequest", "consent", "patient"]:
            response = client.get(url(kind, referral), **tokens.header(token))
            refused(response, 404)
            assert "AB" not in response.content.decode()


def test_without_a_valid_token_the_api_answers_401(client, tokens, referral_in):
    referral = referral_in("requested")
    for header in [
        {},
        {"HTTP_AUTHORIZATION": "Bearer nope"},
        {"HTTP_AUTHORIZATION": "Basic x"},
    ]:
        response = client.get(url("task", referral), **header)
        refused(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_client_details_stop_when_consent_is_revoked(cast, client, tokens, referral_in):
    referral = referral_in("requested")
    referral_services.referral_consent_revoke(
        referral=referral, by=cast.partner, reason="Client asked"
    )
    header = tokens.header("riverside")
    assert "consent is over" in refused(
        client.get(url("patient", referral), **header), 403
    )
    refused(client.get(url("consent", referral), **header), 403)
    request = client.get(url("servicerequest", referral), **header).json()
    assert "note" not in request
    assert Task.model_validate(client.get(url("task", referral), **header).json())


def test_each_use_of_a_token_is_logged(client, tokens, referral_in):
    referral = referral_in("requested")
    client.get(url("task", referral), **tokens.header("riverside"))
    put_task(client, referral, tokens.header("riverside_read"), status="accepted")
    uses = ApiTokenUse.objects.order_by("at", "pk")
    assert [(u.token.name, u.method, u.status) for u in uses] == [
        ("riverside system", "GET", 200),
        ("riverside_read system", "PUT", 403),
    ]
    assert Referral.objects.get(pk=referral.pk).status == "requested"
    tokens.tokens["riverside"].refresh_from_db()
    assert tokens.tokens["riverside"].last_used_at is not None
