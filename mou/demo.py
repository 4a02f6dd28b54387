"""The demo partnership's agreements: an executed MOU with an amendment waiting
for its last signature, and a draft under discussion in the second partnership.
Called by `manage.py load_demo_data` after the referral protocol, which the
MOU's referral methods quote."""

import datetime

from mou import services as mou_services
from mou.models import MOU, MOUTemplate
from partnerships.demo import Demo


def load(*, demo: Demo) -> None:
    eastside = demo.eastside
    lakeshore = demo.lakeshore
    orgs = demo.organisations
    people = demo.people
    if eastside.mous.exists():
        return
    template = MOUTemplate.objects.get(is_default=True)
    coordinator = people["coordinator"]
    mou = mou_services.mou_create_from_template(
        partnership=eastside, template=template, by=coordinator
    )
    commitments = [
        (
            "Northside Family Services",
            "Northside coordinates the partnership, "
            "keeps the shared-families list and chairs the monthly review.",
            None,
            "monthly",
        ),
        (
            "Riverside Health Clinic",
            "Riverside screens patients for housing and "
            "family needs and refers them, with consent, within two working days.",
            None,
            "",
        ),
        (
            "Eastside Housing Coalition",
            "Eastside Housing keeps two emergency "
            "units available for families referred by the partners.",
            None,
            "",
        ),
    ]
    _commitments_add(
        mou, by=coordinator, orgs=orgs, commitments=commitments, today=demo.today
    )
    mou_services.mou_submit_for_review(mou=mou, by=coordinator)
    mou_services.mou_open_signing(mou=mou, by=coordinator)
    signers = [
        ("coordinator", "Northside Family Services", "Partnerships Manager"),
        ("signatory", "Riverside Health Clinic", "Chief Executive"),
        ("housing", "Eastside Housing Coalition", "Executive Director"),
    ]
    for username, org, title in signers:
        # Each signer signs the text they were shown: its fingerprint.
        mou_services.mou_sign(
            mou=mou,
            by=people[username],
            organisation=orgs[org],
            full_name=people[username].get_full_name(),
            title=title,
            fingerprint=MOU.objects.get(pk=mou.pk).frozen_hash,
        )
    amendment = mou_services.mou_amend(mou=MOU.objects.get(pk=mou.pk), by=coordinator)
    _commitments_add(
        amendment,
        by=coordinator,
        orgs=orgs,
        today=demo.today,
        commitments=[
            (
                "Riverside Health Clinic",
                "Riverside's care navigators make a warm "
                "hand-off: they call the housing intake worker with the family "
                "present.",
                None,
                "",
            ),
        ],
    )
    mou_services.mou_submit_for_review(mou=amendment, by=coordinator)
    mou_services.mou_open_signing(mou=amendment, by=coordinator)
    for username, org, title in signers[:2]:
        mou_services.mou_sign(
            mou=amendment,
            by=people[username],
            organisation=orgs[org],
            full_name=people[username].get_full_name(),
            title=title,
            fingerprint=MOU.objects.get(pk=amendment.pk).frozen_hash,
        )

    draft = mou_services.mou_create_from_template(
        partnership=lakeshore, template=template, by=people["outsider"]
    )
    roles = draft.sections.get(kind="roles")
    first = roles.clauses.first()
    mou_services.comment_add(
        mou=draft,
        by=people["housing"],
        clause=first,
        body="Can we name the housing caseworker here? @outsider",
    )
    mou_services.comment_add(
        mou=draft,
        by=people["outsider"],
        body="Draft for discussion at our first meeting.",
    )


def _commitments_add(mou, *, by, orgs, commitments, today):
    """Append commitments to the roles section, keeping the clauses it has."""
    section = mou.sections.get(kind="roles")
    clauses = [
        {
            "id": c.pk,
            "text": c.text,
            "responsible": c.responsible,
            "due_date": c.due_date,
            "cadence": c.cadence,
        }
        for c in section.clauses.all()
    ]
    for org, text, due, cadence in commitments:
        clauses.append(
            {
                "text": text,
                "responsible": orgs[org],
                "due_date": due or (today + datetime.timedelta(days=30)),
                "cadence": cadence,
            }
        )
    mou.refresh_from_db()
    mou_services.mou_section_save(
        mou=mou,
        section=section,
        by=by,
        base_revision_id=mou.latest_revision_id,
        heading=section.heading,
        kind=section.kind,
        clauses=clauses,
    )
