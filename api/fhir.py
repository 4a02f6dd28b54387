"""A referral as FHIR R4 resources, following the Gravity SDOH Clinical Care
guide: the request (ServiceRequest), the work on it (Task, whose status is
the referral's), the client's consent (Consent) and a minimal Patient with only
what the protocol collects. Pure functions: a referral in, dicts out; and a
Task from the other organisation's system in, the move it asks for out."""

from __future__ import annotations

import datetime

SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare"
PROFILES = {
    "ServiceRequest": f"{SDOHCC}/StructureDefinition/SDOHCC-ServiceRequest",
    "Task": f"{SDOHCC}/StructureDefinition/SDOHCC-TaskForReferralManagement",
    "Consent": f"{SDOHCC}/StructureDefinition/SDOHCC-Consent",
}
CATEGORY = {
    "system": f"{SDOHCC}/CodeSystem/SDOHCC-CodeSystemTemporaryCodes",
    "code": "sdoh-category-unspecified",
    "display": "SDOH Category Unspecified",
}
TASK_CODE = {
    "system": "http://hl7.org/fhir/CodeSystem/task-code",
    "code": "fulfill",
    "display": "Fulfill the focal request",
}
# The referral's status is the Task's; the request behind it is active until
# the work ends.
SERVICE_REQUEST_STATUS = {
    "requested": "active",
    "accepted": "active",
    "in-progress": "active",
    "on-hold": "on-hold",
    "completed": "completed",
    "failed": "revoked",
    "rejected": "revoked",
    "cancelled": "revoked",
    "entered-in-error": "entered-in-error",
}
TASK_STATUSES = set(SERVICE_REQUEST_STATUS)


class Invalid(ValueError):
    """A Task update that cannot be read: says what is wrong."""


def _instant(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _meta(referral, kind: str | None) -> dict:
    meta = {"lastUpdated": _instant(referral.updated_at)}
    if kind in PROFILES:
        meta["profile"] = [PROFILES[kind]]
    return meta


def _organisation(org) -> dict:
    return {"reference": f"Organization/{org.pk}", "display": org.name}


def _clean(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def service_request(referral, *, details: bool, fields: list[dict]) -> dict:
    """What the sender asks the receiver to do. The protocol's fields go in as
    notes only for someone who may read the client's details."""
    labels = {f["name"]: f.get("label", f["name"]) for f in fields}
    notes = []
    if details:
        notes = [
            {"text": f"{labels.get(name, name)}: {value}"}
            for name, value in referral.details.items()
            if value not in (None, "")
        ]
    return _clean(
        {
            "resourceType": "ServiceRequest",
            "id": str(referral.pk),
            "meta": _meta(referral, "ServiceRequest"),
            "status": SERVICE_REQUEST_STATUS[referral.status],
            "intent": "order",
            "category": [{"coding": [CATEGORY]}],
            "code": {
                "text": f"Referral under the {referral.partnership.name} protocol"
            },
            "subject": {"reference": f"Patient/{referral.pk}"},
            "authoredOn": _instant(referral.requested_at),
            "requester": _organisation(referral.sender),
            "performer": [_organisation(referral.receiver)],
            "supportingInfo": [{"reference": f"Consent/{referral.pk}"}]
            if referral.consent_given
            else [],
            "note": notes,
        }
    )


def task(referral, *, details: bool) -> dict:
    """The receiver's work on the request; its status is the referral's."""
    output = []
    if details and referral.loop_closed_at:
        output.append(
            {
                "type": {"text": "feedback"},
                "valueString": referral.feedback,
            }
        )
    return _clean(
        {
            "resourceType": "Task",
            "id": str(referral.pk),
            "meta": _meta(referral, "Task"),
            "status": referral.status,
            "businessStatus": {"text": referral.get_status_display()},
            "statusReason": {"text": referral.status_reason}
            if details and referral.status_reason
            else None,
            "intent": "order",
            "code": {"coding": [TASK_CODE]},
            "focus": {"reference": f"ServiceRequest/{referral.pk}"},
            "for": {"reference": f"Patient/{referral.pk}"},
            "authoredOn": _instant(referral.requested_at),
            "lastModified": _instant(referral.updated_at),
            "requester": _organisation(referral.sender),
            "owner": _organisation(referral.receiver),
            "executionPeriod": _clean(
                {
                    "start": _instant(referral.served_at),
                    "end": _instant(referral.finished_at),
                }
            )
            or None,
            "output": output,
        }
    )


def consent(referral) -> dict:
    """The client's consent to share what the referral carries."""
    active = referral.consent_valid
    provision = {"type": "permit"}
    if referral.consent_expires:
        provision["period"] = {"end": referral.consent_expires.isoformat()}
    return _clean(
        {
            "resourceType": "Consent",
            "id": str(referral.pk),
            "meta": _meta(referral, "Consent"),
            "status": "active" if active else "inactive",
            "scope": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                        "code": "patient-privacy",
                    }
                ]
            },
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://loinc.org",
                            "code": "59284-0",
                            "display": "Patient Consent",
                        }
                    ]
                }
            ],
            "patient": {"reference": f"Patient/{referral.pk}"},
            "dateTime": _instant(referral.consent_at),
            "organization": [_organisation(referral.sender)],
            "policyRule": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "code": "OPTIN",
                    }
                ],
                "text": referral.consent_scope,
            },
            "provision": provision,
        }
    )


def patient(referral, *, identifier_system: str) -> dict:
    """Only what the protocol collects: the sender's reference, initials, year
    of birth, and the language and ZIP code when demographics are asked."""
    return _clean(
        {
            "resourceType": "Patient",
            "id": str(referral.pk),
            "meta": _meta(referral, None),
            "identifier": [
                {"system": identifier_system, "value": referral.local_reference}
            ],
            "name": [{"text": referral.initials}],
            "birthDate": f"{referral.birth_year:04d}",
            "address": [{"postalCode": referral.zip_code}] if referral.zip_code else [],
            "communication": [{"language": {"text": referral.language}}]
            if referral.language
            else [],
            "managingOrganization": _organisation(referral.sender),
        }
    )


def bundle(entries: list[dict], *, base: str, total: int, links: dict) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": rel, "url": url} for rel, url in links.items()],
        "entry": [
            {"fullUrl": f"{base}/{e['resourceType']}/{e['id']}", "resource": e}
            for e in entries
        ],
    }


def operation_outcome(message: str, code: str = "processing") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }


def task_update(data, *, task_id: str) -> tuple[str, str]:
    """Read a Task sent back by the other organisation's system: the status it
    asks for and the reason given. Anything else in it is ignored: the
    workspace keeps the rest."""
    if not isinstance(data, dict) or data.get("resourceType") != "Task":
        raise Invalid('Send a Task resource (resourceType "Task").')
    if str(data.get("id", "")) != task_id:
        raise Invalid(f"The Task's id must be {task_id}, as in the address.")
    status = data.get("status")
    if status not in TASK_STATUSES:
        raise Invalid(
            "Task.status must be one of: " + ", ".join(sorted(TASK_STATUSES)) + "."
        )
    reason = data.get("statusReason") or {}
    if not isinstance(reason, dict):
        raise Invalid("Task.statusReason must be a CodeableConcept.")
    text = reason.get("text") or ""
    if not text:
        codings = reason.get("coding") or []
        if isinstance(codings, list):
            text = next(
                (
                    c.get("display") or c.get("code") or ""
                    for c in codings
                    if isinstance(c, dict)
                ),
                "",
            )
    if not isinstance(text, str):
        raise Invalid("Task.statusReason.text must be text.")
    return status, text[:300]
