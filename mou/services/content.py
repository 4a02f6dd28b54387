"""The text of an MOU: starting one from a template, editing its sections and
clauses, the referral-methods section, and describing what changed."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from partnerships import permissions
from partnerships.models import Partnership

from ..documents import placeholders_in
from ..models import MOU, Clause, MOUTemplate, Section, Watch
from .base import (
    _lock,
    _record,
    _refusals_recorded,
    _require_edit,
    _require_own,
)


class StaleEdit(ValidationError):
    """Someone else saved first; `changes` says what they changed."""

    def __init__(self, message, *, changes: list[str]):
        super().__init__(message)
        self.changes = changes


def _fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def referral_clauses(partnership: Partnership) -> list[str]:
    """The referral protocol, written as clauses of the referral-methods section."""
    from referrals.models import ReferralProtocol

    protocol = ReferralProtocol.objects.filter(partnership=partnership).first()
    if protocol is None:
        return []
    clauses = [
        f"When to refer: {protocol.criteria}",
        f"Steps: {protocol.steps}",
        f"The receiving partner acknowledges a referral within "
        f"{protocol.acknowledge_days} working days and tells the referring partner "
        f"the outcome within {protocol.outcome_days} days.",
    ]
    if protocol.fields:
        clauses.append(
            "Each referral carries: "
            + "; ".join(
                f"{f['label']}{' (required)' if f['required'] else ''}"
                for f in protocol.fields
            )
            + "."
        )
    if protocol.consent_required:
        # The consent text names the two partners of each referral as {sender}
        # and {receiver}; the agreement speaks of them in general.
        consent = _fill(
            protocol.consent_text,
            {"sender": "the referring partner", "receiver": "the receiving partner"},
        )
        clauses.append(f"The client's consent is recorded first: {consent}")
    clauses.append(f"This follows version {protocol.version} of the referral protocol.")
    return clauses


def _apply_referral_protocol(mou: MOU) -> None:
    clauses = referral_clauses(mou.partnership)
    section = mou.sections.filter(kind="referrals").first()
    if not clauses or section is None:
        return
    section.clauses.all().delete()
    Clause.objects.bulk_create(
        Clause(section=section, order=i, text=text) for i, text in enumerate(clauses)
    )


@_refusals_recorded
@transaction.atomic
def mou_refresh_referrals(*, mou: MOU, by) -> MOU:
    """Bring the referral-methods section in line with the current protocol."""
    _require_edit(mou, by)
    mou = _lock(mou)
    _refuse_if_frozen(mou)
    _apply_referral_protocol(mou)
    mou.save_revision(user=by, clean=False)
    _record(mou, "edit", by, section="Referral methods (from the protocol)")
    return mou


@_refusals_recorded
@transaction.atomic
def mou_create_from_template(
    *, partnership: Partnership, template: MOUTemplate, by, title: str = ""
) -> MOU:
    if not permissions.can_coordinate(by, partnership):
        raise PermissionDenied(
            "Only the partnership's coordinators can start an MOU; ask one of them."
        )
    if partnership.mous.filter(
        state__in=[MOU.State.DRAFT, MOU.State.IN_REVIEW, MOU.State.SIGNING]
    ).exists():
        raise ValidationError(
            "This partnership already has an MOU in progress. Finish or withdraw it "
            "before starting another."
        )
    version = (partnership.mous.aggregate(v=Max("version"))["v"] or 0) + 1
    mou = MOU.objects.create(
        partnership=partnership,
        title=title or f"{partnership.name} MOU",
        version=version,
        effective_date=partnership.start_date,
        end_date=partnership.end_date,
        created_by=by,
    )
    participations = list(
        partnership.participations.select_related("organisation").order_by(
            "role", "organisation__name"
        )
    )
    values = {
        "partnership": partnership.name,
        "parties": ", ".join(p.organisation.name for p in participations),
        "lead": next(
            (p.organisation.name for p in participations if p.role == "lead"), ""
        ),
        "start_date": f"{partnership.start_date:%d %B %Y}"
        if partnership.start_date
        else "the date the last party signs",
        "end_date": f"{partnership.end_date:%d %B %Y}"
        if partnership.end_date
        else "the parties end it",
    }
    for order, template_section in enumerate(template.sections.all()):
        section = Section.objects.create(
            mou=mou,
            order=order,
            kind=template_section.kind,
            heading=template_section.heading,
        )
        paragraphs = [
            p.strip()
            for p in re.split(r"\n\s*\n", template_section.default_text)
            if p.strip()
        ]
        Clause.objects.bulk_create(
            Clause(section=section, order=index, text=_fill(text, values))
            for index, text in enumerate(paragraphs)
        )
    _apply_referral_protocol(mou)
    mou.save_revision(user=by, clean=False)
    Watch.objects.get_or_create(mou=mou, user=by)
    _record(mou, "create", by, template=template.name)
    return mou


def _check_base(mou: MOU, base_revision_id) -> None:
    """Refuse a save made over an older revision, naming what changed since."""
    if (
        base_revision_id in (None, "")
        or int(base_revision_id) == mou.latest_revision_id
    ):
        return
    from wagtail.models import Revision

    base = Revision.objects.filter(pk=base_revision_id, object_id=str(mou.pk)).first()
    latest = mou.latest_revision
    changes = describe_changes(
        base.content.get("content") if base else None,
        latest.content.get("content") if latest else None,
    )
    who = (
        latest.user.get_full_name() or latest.user.username
        if latest and latest.user
        else "Someone"
    )
    raise StaleEdit(
        f"{who} saved this MOU while you were editing, so your changes were not "
        "saved. Their changes are listed below; open the section again to edit "
        "the current text, then re-apply yours.",
        changes=changes,
    )


def describe_changes(old: dict | None, new: dict | None) -> list[str]:
    """Readable differences between two revisions' content."""
    if not old or not new:
        return []
    changes = []
    old_sections = {s["heading"]: s for s in old["sections"]}
    new_sections = {s["heading"]: s for s in new["sections"]}
    for heading in new_sections.keys() - old_sections.keys():
        changes.append(f"Added section “{heading}”.")
    for heading in old_sections.keys() - new_sections.keys():
        changes.append(f"Removed section “{heading}”.")
    for heading, section in new_sections.items():
        before = old_sections.get(heading)
        if before is None:
            continue
        old_texts = [c["text"] for c in before["clauses"]]
        new_texts = [c["text"] for c in section["clauses"]]
        for text in new_texts:
            if text not in old_texts:
                changes.append(f"“{heading}”: added or changed “{text[:120]}”.")
        for text in old_texts:
            if text not in new_texts:
                changes.append(f"“{heading}”: removed or changed “{text[:120]}”.")
        if before["clauses"] != section["clauses"] and old_texts == new_texts:
            changes.append(f"“{heading}”: responsibilities or dates changed.")
    for key in ("title", "effective_date", "end_date"):
        if old.get(key) != new.get(key):
            changes.append(
                f"{key.replace('_', ' ').capitalize()}: "
                f"{old.get(key)} → {new.get(key)}."
            )
    return changes


def _refuse_if_frozen(mou: MOU) -> None:
    if not mou.is_editable:
        raise ValidationError(
            f"This MOU is {mou.get_state_display().lower()}, so its text cannot "
            "change."
            + (
                " Withdraw it from signing first (this voids the signatures so far)."
                if mou.state == MOU.State.SIGNING
                else " Start an amendment to change an executed agreement."
                if mou.state == MOU.State.EXECUTED
                else ""
            )
        )


@_refusals_recorded
@transaction.atomic
def mou_section_save(
    *,
    mou: MOU,
    by,
    base_revision_id,
    heading: str,
    kind: str,
    clauses: list[dict],
    section: Section | None = None,
) -> Section:
    """Save one section with its clauses as a new revision of the whole MOU.

    `clauses` are dicts of text, responsible, due_date, cadence and optionally
    id (an existing clause of this section, keeping its identity)."""
    _require_edit(mou, by)
    if section is not None:
        _require_own(mou, section)
    mou = _lock(mou)
    _refuse_if_frozen(mou)
    _check_base(mou, base_revision_id)
    parties = set(mou.parties().values_list("pk", flat=True))
    for number, clause in enumerate(clauses, start=1):
        left = placeholders_in(clause["text"]) + placeholders_in(heading)
        if left:
            raise ValidationError(
                f"Clause {number} of “{heading}” still holds "
                + ", ".join(dict.fromkeys(left))
                + ": write what is meant instead of the placeholder."
            )
        responsible = clause.get("responsible")
        if responsible is not None and responsible.pk not in parties:
            raise ValidationError(
                f"{responsible.name} is not a party to this MOU; choose one of the "
                "partner organisations."
            )
        if clause.get("cadence") and not clause.get("due_date"):
            raise ValidationError(
                "A recurring commitment needs the date it is first due."
            )
    if section is None:
        order = (mou.sections.aggregate(o=Max("order"))["o"] or 0) + 1
        section = Section.objects.create(
            mou=mou, order=order, kind=kind, heading=heading
        )
        action = "add_section"
    else:
        section.heading, section.kind = heading, kind
        section.save()
        action = "edit"
    existing = {c.pk: c for c in section.clauses.all()}
    kept = set()
    for order, data in enumerate(clauses):
        clause = existing.get(data.get("id")) or Clause(section=section)
        clause.order = order
        clause.text = data["text"]
        clause.responsible = data.get("responsible")
        clause.due_date = data.get("due_date")
        clause.cadence = data.get("cadence") or ""
        clause.save()
        kept.add(clause.pk)
    section.clauses.exclude(pk__in=kept).delete()
    mou.save_revision(user=by, clean=False)
    Watch.objects.get_or_create(mou=mou, user=by)
    _record(mou, action, by, section=heading)
    return section


@_refusals_recorded
@transaction.atomic
def mou_section_remove(*, mou: MOU, section: Section, by, base_revision_id) -> None:
    _require_edit(mou, by)
    _require_own(mou, section)
    mou = _lock(mou)
    _refuse_if_frozen(mou)
    _check_base(mou, base_revision_id)
    heading = section.heading
    section.delete()
    mou.save_revision(user=by, clean=False)
    _record(mou, "remove_section", by, section=heading)


@_refusals_recorded
@transaction.atomic
def mou_section_move(*, mou: MOU, section: Section, by, up: bool) -> None:
    _require_edit(mou, by)
    _require_own(mou, section)
    mou = _lock(mou)
    _refuse_if_frozen(mou)
    sections = list(mou.sections.all())
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(sections):
        return
    sections[index], sections[other] = sections[other], sections[index]
    for order, item in enumerate(sections):
        if item.order != order:
            item.order = order
            item.save(update_fields=["order"])
    mou.save_revision(user=by, clean=False)
    _record(mou, "move_section", by, section=section.heading)
