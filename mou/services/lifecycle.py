"""The life of an MOU: review, signing opened and withdrawn, execution,
amendment, termination, expiry and renewal reminders.

Each move goes through the model's django-fsm transition, under a row lock,
and is recorded twice (MOUEvent and the audit log); mail follows."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed

from accountability import services as accountability_services
from accountability.models import Responsibility
from partnerships import reminders
from partnerships.emails import send_email
from partnerships.models import PartnershipRole

from ..models import MOU, Clause, Section, Watch
from .base import (
    _everyone,
    _lock,
    _people,
    _record,
    _refusals_recorded,
    _require_coordinate,
    _require_edit,
    _url,
)
from .content import _apply_referral_protocol

RENEWAL_REMINDER_DAYS = (90, 30)


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
    mou.freeze(by=by)
    _record(mou, "open_signing", by, before=before, hash=mou.frozen_hash)
    send_email(
        "mou-signing-open",
        to=_people(mou, PartnershipRole.Role.SIGNATORY),
        context={"mou": mou, "url": _url(mou)},
        partnership=mou.partnership,
    )
    return mou


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
            accountability_services.responsibility_repoint(
                responsibility=responsibility,
                source_object=by_key[earlier[int(responsibility.source_id)]],
                by=by,
            )
    for clause in clauses:
        accountability_services.responsibility_from_source(
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
    if MOU.objects.filter(previous=mou).exists():
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


def mou_due_reminders(today: datetime.date) -> list[reminders.Due]:
    """The 90- and 30-day renewal reminders of executed MOUs, keyed on the end
    date (an MOU whose end date moves is reminded again for the new one)."""
    horizon = today + datetime.timedelta(days=max(RENEWAL_REMINDER_DAYS))
    candidates = MOU.objects.filter(
        state=MOU.State.EXECUTED, end_date__gte=today, end_date__lte=horizon
    ).select_related("partnership")

    def sender(mou: MOU, days_left: int):
        def send() -> None:
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

        return send

    dues = []
    for mou in candidates:
        days_left = (mou.end_date - today).days
        dues.extend(
            reminders.Due(
                mou, f"mou.renewal_{days}", mou.end_date, sender(mou, days_left)
            )
            for days in RENEWAL_REMINDER_DAYS
            if days_left <= days
        )
    return dues


def mou_renewal_reminders_send(*, today: datetime.date | None = None) -> int:
    return sum(
        reminders.send_all(mou_due_reminders(today or timezone.localdate())).values()
    )
