"""Writes for shared accountability: responsibilities and their log, reminders
(the learning log is in learning.py, health checks in health.py)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from partnerships import permissions, reminders
from partnerships.emails import send_email
from partnerships.models import (
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
)

from ..models import Responsibility, ResponsibilityUpdate

__all__ = [
    "responsibility_create",
    "responsibility_edit",
    "responsibility_report",
    "responsibilities_bulk_status",
    "responsibility_from_source",
    "responsibility_repoint",
    "responsibility_due_reminders",
    "responsibility_reminders_send",
]

REMIND_DAYS_BEFORE = 3


def _check_owner(partnership: Partnership, owner: Organisation, person) -> None:
    if not Participation.objects.filter(
        partnership=partnership, organisation=owner
    ).exists():
        raise ValidationError(
            {"owner": f"{owner.name} does not take part in this partnership."}
        )
    if (
        person is not None
        and not Membership.objects.filter(user=person, organisation=owner).exists()
    ):
        raise ValidationError(
            {
                "owner_person": f"{person.get_full_name() or person.username} does "
                f"not work for {owner.name}. Choose someone from that organisation "
                "or leave the person empty."
            }
        )


def _log_responsibility(responsibility, action, by, **data):
    log(
        responsibility.partnership,
        action,
        user=by,
        data={"responsibility": responsibility.title, **data},
    )


@transaction.atomic
def responsibility_create(
    *, partnership: Partnership, by, owner: Organisation, **fields
) -> Responsibility:
    """A responsibility someone adds by hand: for their own organisation, or for
    any partner when they coordinate. `fields` as for _responsibility_insert."""
    permissions.require(by, partnership, "edit")
    if not permissions.can_act_for(by, partnership, owner.pk):
        raise PermissionDenied(
            "You can add responsibilities for your own organisation; ask the "
            "coordinator to assign one to another partner."
        )
    return _responsibility_insert(partnership=partnership, by=by, owner=owner, **fields)


def _responsibility_insert(
    *,
    partnership: Partnership,
    by,
    title: str,
    owner: Organisation,
    owner_person=None,
    details: str = "",
    due_date: datetime.date | None = None,
    cadence: str = "",
    source: str = Responsibility.Source.MANUAL,
    source_object=None,
) -> Responsibility:
    _check_owner(partnership, owner, owner_person)
    responsibility = Responsibility(
        partnership=partnership,
        title=title,
        details=details,
        owner=owner,
        owner_person=owner_person,
        due_date=due_date,
        cadence=cadence,
        source=source,
        created_by=by,
    )
    if source_object is not None:
        responsibility.source_type = ContentType.objects.get_for_model(source_object)
        responsibility.source_id = str(source_object.pk)
    responsibility.full_clean()
    responsibility.save()
    ResponsibilityUpdate.objects.create(
        responsibility=responsibility,
        author=by,
        status_to=responsibility.status,
        due_date=due_date,
        note="Created",
    )
    _log_responsibility(
        responsibility,
        "partnerships.add_responsibility",
        by,
        organisation=owner.name,
        due=str(due_date or "no date"),
    )
    return responsibility


EDITABLE_FIELDS = ("title", "details", "owner", "owner_person", "due_date", "cadence")
# What is owed, by whom and when is the partnership's decision (coordinators);
# the owner organisation only chooses which of its people carries it.
TERMS = ("title", "details", "owner", "due_date", "cadence")


@transaction.atomic
def responsibility_edit(*, responsibility: Responsibility, by, **fields):
    if not permissions.can_change_responsibility(by, responsibility):
        raise PermissionDenied
    changed_terms = [
        key
        for key in TERMS
        if key in fields and fields[key] != getattr(responsibility, key)
    ]
    if changed_terms and not permissions.can_reassign_responsibility(
        by, responsibility
    ):
        if responsibility.source == Responsibility.Source.MOU_CLAUSE:
            raise PermissionDenied(
                "This commitment is written in the MOU: change who does it or by "
                "when with an amendment to the MOU."
            )
        raise PermissionDenied(
            "Only the partnership's coordinators change what is owed, by whom and "
            "when. Report progress or choose the person from your organisation."
        )
    return _responsibility_apply(responsibility, by, fields)


def _responsibility_apply(responsibility: Responsibility, by, fields: dict):
    """Write changed fields, log them; access was checked by the caller (a person
    editing, or the workflow that owns the source, such as an executing MOU)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    owner = fields.get("owner", responsibility.owner)
    person = fields.get("owner_person", responsibility.owner_person)
    _check_owner(responsibility.partnership, owner, person)
    changes = {}
    for key, value in fields.items():
        before = getattr(responsibility, key)
        if before != value:
            changes[key] = {"from": str(before or "—"), "to": str(value or "—")}
            setattr(responsibility, key, value)
    if not changes:
        return responsibility
    responsibility.full_clean()
    responsibility.save()
    ResponsibilityUpdate.objects.create(
        responsibility=responsibility,
        author=by,
        due_date=responsibility.due_date,
        note="Changed "
        + ", ".join(
            f"{Responsibility._meta.get_field(key).verbose_name}: "
            f"{change['from']} → {change['to']}"
            for key, change in changes.items()
        ),
    )
    _log_responsibility(
        responsibility, "partnerships.edit_responsibility", by, changes=changes
    )
    return responsibility


@transaction.atomic
def responsibility_report(
    *, responsibility: Responsibility, by, status: str, note: str = ""
) -> ResponsibilityUpdate:
    """A progress report: a new status, a note, or both. Completing a recurring
    responsibility schedules its next occurrence."""
    if not permissions.can_change_responsibility(by, responsibility):
        raise PermissionDenied(
            "Only the owner organisation or the partnership's coordinators can "
            "update this responsibility."
        )
    if status not in Responsibility.Status.values:
        raise ValidationError({"status": "Choose one of the listed statuses."})
    note = note.strip()
    # Lock the row: two people reporting at once both land in the log in order.
    responsibility = Responsibility.objects.select_for_update().get(
        pk=responsibility.pk
    )
    if status == responsibility.status and not note:
        raise ValidationError(
            "Nothing to record: change the status or write a note about progress."
        )
    update = ResponsibilityUpdate.objects.create(
        responsibility=responsibility,
        author=by,
        status_from=responsibility.status,
        status_to=status,
        due_date=responsibility.due_date,
        note=note,
    )
    data = {"from": responsibility.get_status_display()}
    responsibility.status = status
    next_due = None
    if status == Responsibility.Status.DONE and responsibility.cadence:
        next_due = responsibility.next_due_date()
        responsibility.due_date = next_due
        responsibility.status = Responsibility.Status.NOT_STARTED
    responsibility.save(update_fields=["status", "due_date", "updated_at"])
    if next_due:
        ResponsibilityUpdate.objects.create(
            responsibility=responsibility,
            author=by,
            status_from=Responsibility.Status.DONE,
            status_to=Responsibility.Status.NOT_STARTED,
            due_date=next_due,
            note=f"Next occurrence due {next_due:%d %B %Y}.",
        )
    _log_responsibility(
        responsibility,
        "partnerships.report_responsibility",
        by,
        to=Responsibility.Status(status).label,
        note=note[:200],
        **data,
    )
    return update


@transaction.atomic
def responsibilities_bulk_status(
    *, partnership: Partnership, responsibilities, status: str, by, note: str = ""
) -> int:
    if not permissions.can_coordinate(by, partnership):
        raise PermissionDenied
    changed = 0
    for responsibility in responsibilities:
        if responsibility.partnership_id != partnership.pk:
            raise PermissionDenied
        if responsibility.status == status:
            continue
        responsibility_report(
            responsibility=responsibility,
            by=by,
            status=status,
            note=note or "Changed in bulk by the coordinator.",
        )
        changed += 1
    return changed


@transaction.atomic
def responsibility_from_source(
    *,
    partnership: Partnership,
    source: str,
    source_object,
    by,
    title: str,
    owner: Organisation,
    due_date: datetime.date | None = None,
    cadence: str = "",
    details: str = "",
) -> Responsibility:
    """Create or refresh the responsibility that mirrors an MOU clause, a meeting
    action or a logic-model activity, never duplicating it."""
    content_type = ContentType.objects.get_for_model(source_object)
    existing = Responsibility.objects.filter(
        source_type=content_type, source_id=str(source_object.pk)
    ).first()
    if existing is None:
        return _responsibility_insert(
            partnership=partnership,
            by=by,
            title=title,
            owner=owner,
            details=details,
            due_date=due_date,
            cadence=cadence,
            source=source,
            source_object=source_object,
        )
    return _responsibility_apply(
        existing,
        by,
        {
            "title": title,
            "owner": owner,
            "details": details,
            "due_date": due_date,
            "cadence": cadence,
        },
    )


@transaction.atomic
def responsibility_repoint(
    *, responsibility: Responsibility, source_object, by
) -> Responsibility:
    """Move a responsibility to the object that now carries it, such as the
    clause of an amendment that replaces the clause it came from. Access is
    checked by the workflow that owns the source (an MOU being executed)."""
    content_type = ContentType.objects.get_for_model(source_object)
    if (responsibility.source_type_id, responsibility.source_id) == (
        content_type.pk,
        str(source_object.pk),
    ):
        return responsibility
    before = str(responsibility.source_object or "—")
    responsibility.source_type = content_type
    responsibility.source_id = str(source_object.pk)
    responsibility.save(update_fields=["source_type", "source_id", "updated_at"])
    ResponsibilityUpdate.objects.create(
        responsibility=responsibility,
        author=by,
        due_date=responsibility.due_date,
        note=f"Now carried by “{source_object}”.",
    )
    _log_responsibility(
        responsibility,
        "partnerships.edit_responsibility",
        by,
        changes={"source": {"from": before, "to": str(source_object)}},
    )
    return responsibility


def _reminder_recipients(responsibility: Responsibility, contacts: dict) -> list[str]:
    if responsibility.owner_person and responsibility.owner_person.email:
        return [responsibility.owner_person.email]
    return contacts.get((responsibility.partnership_id, responsibility.owner_id), [])


RESPONSIBILITY_REMINDERS = ("due_soon", "overdue", "escalated")


def responsibility_due_reminders(today: datetime.date) -> list[reminders.Due]:
    """Due-soon, overdue and escalation reminders for open responsibilities,
    keyed on the due date so a recurring item is reminded per occurrence."""
    candidates = (
        Responsibility.objects.open()
        .filter(
            due_date__isnull=False,
            due_date__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .exclude(partnership__status=Partnership.Status.CLOSED)
        .select_related("partnership", "owner", "owner_person")
        .order_by("pk")
    )
    roles = PartnershipRole.objects.filter(
        participation__partnership__in=candidates.values("partnership_id")
    ).values_list(
        "participation__partnership_id",
        "participation__organisation_id",
        "role",
        "user__email",
    )
    contacts: dict = {}
    coordinators: dict = {}
    for partnership_id, organisation_id, role, email in roles:
        if not email:
            continue
        if role in (PartnershipRole.Role.CONTACT, PartnershipRole.Role.COORDINATOR):
            contacts.setdefault((partnership_id, organisation_id), []).append(email)
        if role == PartnershipRole.Role.COORDINATOR:
            coordinators.setdefault(partnership_id, []).append(email)

    def sender(responsibility: Responsibility, kind: str, to: list[str]):
        def send() -> None:
            send_email(
                f"responsibility-{kind.replace('_', '-')}",
                to=to,
                context={
                    "responsibility": responsibility,
                    "days_overdue": (today - responsibility.due_date).days,
                    "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
                    + responsibility.get_absolute_url(),
                },
                partnership=responsibility.partnership,
            )

        return send

    dues = []
    for responsibility in candidates.iterator(chunk_size=500):
        due = responsibility.due_date
        wanted = []
        if due >= today:
            wanted.append("due_soon")
        else:
            wanted.append("overdue")
            if (today - due).days >= responsibility.partnership.escalation_days:
                wanted.append("escalated")
        for kind in wanted:
            if kind == "escalated":
                to = coordinators.get(responsibility.partnership_id, [])
            else:
                to = _reminder_recipients(responsibility, contacts)
            dues.append(
                reminders.Due(
                    responsibility,
                    f"responsibility.{kind}",
                    due,
                    sender(responsibility, kind, to),
                )
            )
    return dues


def responsibility_reminders_send(*, today: datetime.date | None = None) -> dict:
    """Send each due-soon, overdue and escalation reminder once (`manage.py tick`
    sends them through `partnerships.reminders.send_due`)."""
    sent = reminders.send_all(
        responsibility_due_reminders(today or timezone.localdate())
    )
    return {kind: sent[f"responsibility.{kind}"] for kind in RESPONSIBILITY_REMINDERS}
