"""Every write to an MOU: content edits, the lifecycle, signatures, comments.

Services are the only callers of the state machine's transitions. Each change
writes a domain history row (MOUEvent) and a Wagtail audit-log entry, and sends
its e-mail after the transaction commits."""

from __future__ import annotations

import datetime
import functools
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed
from wagtail.log_actions import log

from partnerships import permissions
from partnerships import services as partnership_services
from partnerships.emails import send_email
from partnerships.models import (
    Organisation,
    Partnership,
    PartnershipRole,
    Responsibility,
)

from .models import (
    MOU,
    Clause,
    Comment,
    MOUEvent,
    MOUTemplate,
    RenewalReminder,
    Section,
    Signature,
    Watch,
)

User = get_user_model()
RENEWAL_REMINDER_DAYS = (90, 30)


class StaleEdit(ValidationError):
    """Someone else saved first; `changes` says what they changed."""

    def __init__(self, message, *, changes: list[str]):
        super().__init__(message)
        self.changes = changes


def _url(mou: MOU) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + mou.get_absolute_url()


def _record(mou: MOU, action: str, by, *, before: str = "", **data) -> None:
    MOUEvent.objects.create(
        mou=mou,
        action=action,
        user=by,
        from_state=before,
        to_state=mou.state,
        data=data,
    )
    log(mou, f"mou.{action}", user=by, data={"title": str(mou), **data})


def _people(mou: MOU, *roles) -> list[str]:
    return list(
        PartnershipRole.objects.filter(
            participation__partnership_id=mou.partnership_id, role__in=roles
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )


def _everyone(mou: MOU) -> list[str]:
    return list(
        User.objects.filter(
            memberships__organisation__participations__partnership_id=mou.partnership_id,
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _refusals_recorded(service):
    """Record a refused call in the audit log. It wraps the service's own
    transaction, so the entry stays although the refused work is rolled back."""

    @functools.wraps(service)
    def guarded(**kwargs):
        try:
            return service(**kwargs)
        except PermissionDenied:
            comment = kwargs.get("comment")
            target = kwargs.get("mou") or (comment.mou if comment else None)
            target = target or kwargs.get("partnership")
            by = kwargs.get("by")
            log(
                target,
                "mou.refused",
                user=by if getattr(by, "pk", None) else None,
                data={"title": str(target), "action": service.__name__},
            )
            raise

    return guarded


def _require_edit(mou: MOU, by) -> None:
    if not permissions.can_edit(by, mou.partnership):
        raise PermissionDenied(
            "Only people who act for a partner organisation can change this MOU; "
            "leadership viewers read it."
        )


def _require_coordinate(mou: MOU, by) -> None:
    if not permissions.can_coordinate(by, mou.partnership):
        raise PermissionDenied(
            "Only the partnership's coordinators can do this; ask one of them."
        )


def _require_own(mou: MOU, section: Section) -> None:
    """A section handed to a service must belong to the MOU it was checked on."""
    if section.mou_id != mou.pk:
        raise PermissionDenied("That section is not part of this MOU.")


def _with_access(mou: MOU, addresses) -> list[str]:
    """The addresses of people who may still see the partnership now (the
    delivery task asks again when the mail leaves)."""
    return permissions.addresses_with_access(
        mou.partnership_id, [a for a in addresses if a]
    )


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
        clauses.append(
            f"The client's consent is recorded first: {protocol.consent_text}"
        )
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
        else "until ended by the parties",
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


def _lock(mou: MOU) -> MOU:
    return MOU.objects.select_for_update().select_related("partnership").get(pk=mou.pk)


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
    for clause in clauses:
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


def _transition(mou: MOU, name: str, by, **kwargs) -> str:
    before = mou.state
    method = getattr(mou, name)
    if not can_proceed(method, check_conditions=False):
        raise ValidationError(
            f"An MOU that is {mou.get_state_display().lower()} cannot be "
            f"{TRANSITION_WORDS.get(name, name)}."
        )
    try:
        method(**kwargs)
    except TransitionNotAllowed:
        raise ValidationError(
            f"This MOU cannot be {TRANSITION_WORDS.get(name, name)} yet."
        ) from None
    mou.save()
    return before


TRANSITION_WORDS = {
    "submit_for_review": "submitted for review",
    "request_changes": "sent back for changes",
    "open_signing": "opened for signing",
    "withdraw": "withdrawn from signing",
    "execute": "executed",
    "terminate": "terminated",
    "expire": "expired",
    "supersede": "superseded",
}


@_refusals_recorded
@transaction.atomic
def mou_submit_for_review(*, mou: MOU, by) -> MOU:
    _require_edit(mou, by)
    mou = _lock(mou)
    before = _transition(mou, "submit_for_review", by)
    _record(mou, "submit_for_review", by, before=before)
    send_email(
        "mou-review",
        to=_people(mou, PartnershipRole.Role.COORDINATOR, PartnershipRole.Role.CONTACT),
        context={"mou": mou, "by": by, "url": _url(mou)},
        partnership=mou.partnership,
    )
    return mou


@_refusals_recorded
@transaction.atomic
def mou_request_changes(*, mou: MOU, by, note: str = "") -> MOU:
    _require_edit(mou, by)
    mou = _lock(mou)
    before = _transition(mou, "request_changes", by)
    _record(mou, "request_changes", by, before=before, note=note)
    return mou


@_refusals_recorded
@transaction.atomic
def mou_open_signing(*, mou: MOU, by) -> MOU:
    _require_coordinate(mou, by)
    mou = _lock(mou)
    if mou.state == MOU.State.IN_REVIEW:
        missing = mou.signing_checklist()
        if missing:
            raise ValidationError(missing)
    before = _transition(mou, "open_signing", by)
    revision = mou.save_revision(user=by, clean=False)
    mou.frozen_revision = revision
    mou.save(update_fields=["frozen_revision"])
    _record(mou, "open_signing", by, before=before, hash=mou.frozen_hash)
    send_email(
        "mou-signing-open",
        to=_people(mou, PartnershipRole.Role.SIGNATORY),
        context={"mou": mou, "url": _url(mou)},
        partnership=mou.partnership,
    )
    return mou


class _SignRefused(Exception):
    def __init__(self, reason: str, message: str, *, changes: list[str] = ()):
        super().__init__(message)
        self.reason, self.message, self.changes = reason, message, list(changes)


class TextChanged(ValidationError):
    """The signer was shown another text than the one open for signing;
    `changes` says what differs, `fingerprint` is the text now open."""

    def __init__(self, message: str, *, changes: list[str], fingerprint: str):
        super().__init__([message, *changes])
        self.changes, self.fingerprint = changes, fingerprint


def mou_sign(
    *,
    mou: MOU,
    by,
    organisation: Organisation,
    full_name: str,
    title: str,
    fingerprint: str,
    ip_address: str | None = None,
) -> Signature:
    """One organisation's signature on the text whose SHA-256 `fingerprint` the
    signer was shown. The last one executes the MOU, exactly once: the row lock
    makes simultaneous signers take turns. Refused attempts are recorded in the
    history (outside the refused transaction, so they stay)."""
    if not permissions.can_sign(by, mou.partnership, organisation):
        _record(
            mou,
            "sign_refused",
            by,
            organisation=organisation.name,
            reason="not a signatory for this organisation",
        )
        raise PermissionDenied(f"Only {organisation.name}'s signatory can sign for it.")
    if not full_name.strip() or not title.strip():
        raise ValidationError("Type your full name and job title to sign.")
    try:
        return _sign(
            mou=mou,
            by=by,
            organisation=organisation,
            full_name=full_name,
            title=title,
            fingerprint=fingerprint or "",
            ip_address=ip_address,
        )
    except _SignRefused as refused:
        _record(
            mou,
            "sign_refused",
            by,
            organisation=organisation.name,
            reason=refused.reason,
        )
        if refused.reason.startswith("text changed"):
            raise TextChanged(
                refused.message,
                changes=refused.changes,
                fingerprint=MOU.objects.get(pk=mou.pk).frozen_hash,
            ) from None
        raise ValidationError(refused.message) from None


def _content_with_hash(mou: MOU, fingerprint: str) -> dict | None:
    """The content of this MOU's revision whose text has `fingerprint`, if any."""
    from wagtail.models import Revision

    for content in (
        Revision.objects.for_instance(mou)
        .order_by("-created_at", "-pk")
        .values_list("content", flat=True)[:200]
    ):
        text = content.get("content")
        if text and MOU.hash_content(text) == fingerprint:
            return text
    return None


def _shown_text_changed(mou: MOU, fingerprint: str) -> _SignRefused:
    shown = _content_with_hash(mou, fingerprint) if fingerprint else None
    frozen = mou.frozen_revision
    current = frozen.content.get("content") if frozen else None
    changes = describe_changes(shown, current or mou.canonical_content())
    return _SignRefused(
        "text changed since the signer's page was opened",
        "Not signed: the text changed after you opened the signing page, so "
        "your signature would cover words you have not seen. "
        + ("What changed is listed below. " if changes else "")
        + "Read the current text, then sign again if you agree to it.",
        changes=changes,
    )


def _signatures_counted(mou: MOU) -> None:
    """A seam for the concurrency test, called right after a signer's
    transaction counted the signatures and before it decides to execute. The
    test holds both of two simultaneous signers here to prove that the row lock,
    not luck, makes the last one see the other's signature. Does nothing."""


@transaction.atomic
def _sign(
    *, mou, by, organisation, full_name, title, fingerprint, ip_address
) -> Signature:
    mou = _lock(mou)
    if mou.state != MOU.State.SIGNING:
        raise _SignRefused(
            f"state is {mou.state}",
            f"This MOU is {mou.get_state_display().lower()}; it can only be signed "
            "while signing is open.",
        )
    if fingerprint != mou.frozen_hash:
        raise _shown_text_changed(mou, fingerprint)
    if mou.content_hash() != mou.frozen_hash:
        raise _SignRefused(
            "text changed",
            "The text has changed since signing opened, so it cannot be signed. "
            "Ask the coordinator to withdraw and reopen signing.",
        )
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                mou=mou,
                round=mou.signing_round,
                organisation=organisation,
                signer=by,
                full_name=full_name.strip(),
                title=title.strip(),
                signed_on=timezone.localdate(),
                ip_address=ip_address or None,
                content_hash=mou.frozen_hash,
            )
    except IntegrityError:
        raise _SignRefused(
            "already signed", f"{organisation.name} has already signed this version."
        ) from None
    _record(
        mou,
        "sign",
        by,
        before=mou.state,
        organisation=organisation.name,
        name=signature.full_name,
        hash=signature.content_hash,
    )
    everyone_signed = mou.all_parties_signed()
    _signatures_counted(mou)
    if everyone_signed:
        # The signer's own right to sign is what lets their signature complete
        # the agreement; no coordinator is needed for that.
        _execute(mou, by)
    return signature


@_refusals_recorded
@transaction.atomic
def mou_execute(*, mou: MOU, by) -> MOU:
    """Execute an MOU every party has signed (normally the last signature does)."""
    _require_coordinate(mou, by)
    return _execute(mou, by)


def _execute(mou: MOU, by) -> MOU:
    mou = _lock(mou)
    before = _transition(mou, "execute", by)
    _record(mou, "execute", by, before=before)
    previous = mou.previous
    if previous is not None and previous.state == MOU.State.EXECUTED:
        previous = _lock(previous)
        old_state = _transition(previous, "supersede", by)
        _record(previous, "supersede", by, before=old_state, by_version=mou.version)
    _commitments_to_responsibilities(mou=mou, by=by)
    send_email(
        "mou-executed",
        to=_everyone(mou),
        context={"mou": mou, "url": _url(mou)},
        partnership=mou.partnership,
    )
    return mou


def _commitments_to_responsibilities(*, mou: MOU, by) -> int:
    """Each commitment becomes (or updates) a tracked responsibility. An
    amendment's clauses keep their predecessor's key, so the responsibility
    moves to the new clause instead of being duplicated."""
    from django.contrib.contenttypes.models import ContentType

    clause_type = ContentType.objects.get_for_model(Clause)
    clauses = list(
        Clause.objects.filter(
            section__mou=mou, responsible__isnull=False
        ).select_related("section", "responsible")
    )
    if mou.previous_id:
        earlier = dict(
            Clause.objects.filter(
                section__mou__partnership_id=mou.partnership_id,
                key__in=[c.key for c in clauses],
            )
            .exclude(section__mou=mou)
            .values_list("pk", "key")
        )
        by_key = {c.key: c for c in clauses}
        for responsibility in Responsibility.objects.filter(
            source_type=clause_type, source_id__in=[str(pk) for pk in earlier]
        ):
            responsibility.source_id = str(
                by_key[earlier[int(responsibility.source_id)]].pk
            )
            responsibility.save(update_fields=["source_id"])
    for clause in clauses:
        partnership_services.responsibility_from_source(
            partnership=mou.partnership,
            source=Responsibility.Source.MOU_CLAUSE,
            source_object=clause,
            by=by,
            title=clause.text[:300],
            owner=clause.responsible,
            due_date=clause.due_date,
            cadence=clause.cadence,
            details=f"From {mou}, “{clause.section.heading}”.",
        )
    return len(clauses)


@_refusals_recorded
@transaction.atomic
def mou_withdraw(*, mou: MOU, by, reason: str = "") -> MOU:
    _require_coordinate(mou, by)
    mou = _lock(mou)
    round_ = mou.signing_round
    before = _transition(mou, "withdraw", by)
    voided = mou.signatures.filter(round=round_, voided_at__isnull=True).update(
        voided_at=timezone.now()
    )
    _record(mou, "withdraw", by, before=before, reason=reason, voided=voided)
    return mou


@_refusals_recorded
@transaction.atomic
def mou_amend(*, mou: MOU, by) -> MOU:
    """A new draft version prefilled with the executed text."""
    _require_coordinate(mou, by)
    mou = _lock(mou)
    if mou.state != MOU.State.EXECUTED:
        raise ValidationError(
            f"Only an executed MOU can be amended; this one is "
            f"{mou.get_state_display().lower()}."
        )
    if hasattr(mou, "amendment") and MOU.objects.filter(previous=mou).exists():
        raise ValidationError("An amendment to this MOU is already in progress.")
    new = MOU.objects.create(
        partnership=mou.partnership,
        title=mou.title,
        version=(mou.partnership.mous.aggregate(v=Max("version"))["v"] or 0) + 1,
        previous=mou,
        effective_date=None,
        end_date=mou.end_date,
        created_by=by,
    )
    for section in mou.sections.prefetch_related("clauses"):
        copy = Section.objects.create(
            mou=new, order=section.order, kind=section.kind, heading=section.heading
        )
        Clause.objects.bulk_create(
            Clause(
                section=copy,
                order=c.order,
                text=c.text,
                responsible_id=c.responsible_id,
                due_date=c.due_date,
                cadence=c.cadence,
                key=c.key,
            )
            for c in section.clauses.all()
        )
    _apply_referral_protocol(new)
    new.save_revision(user=by, clean=False)
    Watch.objects.get_or_create(mou=new, user=by)
    _record(mou, "amend", by, before=mou.state, amendment=str(new))
    _record(new, "create", by, amends=str(mou))
    return new


@_refusals_recorded
@transaction.atomic
def mou_terminate(*, mou: MOU, by, reason: str, effective: datetime.date) -> MOU:
    _require_coordinate(mou, by)
    if not reason.strip():
        raise ValidationError("Give the reason for ending the agreement.")
    mou = _lock(mou)
    before = _transition(
        mou, "terminate", by, reason=reason.strip(), effective=effective
    )
    _record(
        mou, "terminate", by, before=before, reason=reason, effective=str(effective)
    )
    send_email(
        "mou-ended",
        to=_everyone(mou),
        context={"mou": mou, "url": _url(mou), "how": "terminated"},
        partnership=mou.partnership,
    )
    return mou


def mou_expire_due(*, today: datetime.date | None = None) -> int:
    """Executed MOUs past their end date expire (run by `manage.py tick`)."""
    today = today or timezone.localdate()
    count = 0
    for mou in MOU.objects.filter(state=MOU.State.EXECUTED, end_date__lt=today):
        with transaction.atomic():
            locked = _lock(mou)
            if locked.state != MOU.State.EXECUTED:
                continue
            before = _transition(locked, "expire", None)
            _record(locked, "expire", None, before=before)
            send_email(
                "mou-ended",
                to=_everyone(locked),
                context={"mou": locked, "url": _url(locked), "how": "expired"},
                partnership=locked.partnership,
            )
            count += 1
    return count


def mou_renewal_reminders_send(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    sent = 0
    horizon = today + datetime.timedelta(days=max(RENEWAL_REMINDER_DAYS))
    candidates = MOU.objects.filter(
        state=MOU.State.EXECUTED, end_date__gte=today, end_date__lte=horizon
    ).select_related("partnership")
    for mou in candidates:
        days_left = (mou.end_date - today).days
        for days in RENEWAL_REMINDER_DAYS:
            if days_left > days:
                continue
            try:
                with transaction.atomic():
                    RenewalReminder.objects.create(mou=mou, days_before=days)
                    send_email(
                        "mou-renewal",
                        to=_people(
                            mou,
                            PartnershipRole.Role.COORDINATOR,
                            PartnershipRole.Role.SIGNATORY,
                        ),
                        context={"mou": mou, "days_left": days_left, "url": _url(mou)},
                        partnership=mou.partnership,
                    )
                sent += 1
            except IntegrityError:
                continue
    return sent


MENTION = re.compile(r"@([\w.@+-]+)")


@_refusals_recorded
@transaction.atomic
def comment_add(
    *,
    mou: MOU,
    by,
    body: str,
    clause: Clause | None = None,
    parent: Comment | None = None,
) -> Comment:
    _require_edit(mou, by)
    body = body.strip()
    if not body:
        raise ValidationError("Write a comment first.")
    if clause is not None and clause.section.mou_id != mou.pk:
        raise PermissionDenied
    if parent is not None:
        if parent.mou_id != mou.pk:
            raise PermissionDenied
        clause = parent.clause
        parent = parent.parent or parent
    comment = Comment.objects.create(
        mou=mou, clause=clause, parent=parent, author=by, body=body
    )
    Watch.objects.get_or_create(mou=mou, user=by)
    mentioned = set(MENTION.findall(body))
    recipients = set(
        User.objects.filter(username__in=mentioned).values_list("email", flat=True)
    ) | set(mou.watchers.exclude(user=by).values_list("user__email", flat=True))
    recipients.discard(by.email)
    _record(mou, "comment", by, clause=clause.text[:60] if clause else "")
    # Mentions and watchers alike: only people who may still see the partnership
    # (a watcher whose organisation left keeps their Watch row, not the mail).
    send_email(
        "mou-comment",
        to=_with_access(mou, recipients),
        context={"mou": mou, "comment": comment, "url": _url(mou)},
        partnership=mou.partnership,
    )
    return comment


@_refusals_recorded
@transaction.atomic
def comment_resolve(*, comment: Comment, by, resolved: bool) -> Comment:
    _require_edit(comment.mou, by)
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = by if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    _record(comment.mou, "resolve_comment" if resolved else "reopen_comment", by)
    return comment
