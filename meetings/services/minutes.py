"""What happens in a meeting: the agenda, minutes, decisions, actions and who
came."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accountability import services as accountability_services
from accountability.models import Responsibility
from partnerships.models import Organisation

from ..models import Action, AgendaItem, Attendance, Decision, Meeting
from .base import _log, _require_edit


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, by, title: str, **fields) -> AgendaItem:
    _require_edit(meeting, by)
    order = (meeting.agenda.aggregate(o=Max("order"))["o"] or 0) + 1
    item = AgendaItem(meeting=meeting, order=order, title=title, **fields)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by, up: bool) -> None:
    _require_edit(item.meeting, by)
    items = list(item.meeting.agenda.all())
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for order, value in enumerate(items):
            if value.order != order:
                AgendaItem.objects.filter(pk=value.pk).update(order=order)


@transaction.atomic
def minutes_record(
    *, item: AgendaItem, by, minutes: str, done: bool = True
) -> AgendaItem:
    _require_edit(item.meeting, by)
    item.minutes = minutes
    item.done = done
    item.save(update_fields=["minutes", "done"])
    return item


@transaction.atomic
def decision_record(*, meeting: Meeting, by, text: str, agenda_item=None) -> Decision:
    _require_edit(meeting, by)
    if not text.strip():
        raise ValidationError("Write down what was decided.")
    decision = Decision.objects.create(
        meeting=meeting, agenda_item=agenda_item, text=text.strip(), recorded_by=by
    )
    _log(meeting.series, "record_decision", by, decision=decision.text[:100])
    return decision


@transaction.atomic
def action_record(
    *,
    meeting: Meeting,
    by,
    text: str,
    owner: Organisation,
    due_date: datetime.date | None = None,
    agenda_item=None,
) -> Action:
    """An action agreed in the meeting; it goes straight into the tracker."""
    _require_edit(meeting, by)
    action = Action.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        text=text,
        owner=owner,
        due_date=due_date,
    )
    accountability_services.responsibility_from_source(
        partnership=meeting.series.partnership,
        source=Responsibility.Source.MEETING_ACTION,
        source_object=action,
        by=by,
        title=text,
        owner=owner,
        due_date=due_date,
        details=f"Agreed at {meeting}.",
    )
    _log(meeting.series, "record_action", by, what=text[:100], owner=owner.name)
    return action


@transaction.atomic
def attendance_mark(*, meeting: Meeting, by, present: set[int]) -> None:
    _require_edit(meeting, by)
    for invitee in meeting.series.invitees.filter(removed_at__isnull=True):
        attendance, _ = Attendance.objects.get_or_create(
            meeting=meeting, invitee=invitee
        )
        attendance.attended = invitee.pk in present
        attendance.save(update_fields=["attended"])
