"""What the read API serves: each resource's rows (scoped by the one access
policy), the field its modified-since filter reads, how one row reads as
JSON, and the JSON Schema of that shape (for the OpenAPI document, the
archive and the tests). Pure reads: no request, no HTTP."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accountability.models import Responsibility
from logicmodels.models import Indicator, LogicModel, Measurement
from meetings.models import Meeting
from mou.models import MOU, Signature
from partnerships import permissions
from partnerships.models import Participation, Partnership

# JSON Schema shorthands.
INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
DATE = {"type": ["string", "null"], "format": "date"}
MOMENT = {"type": ["string", "null"], "format": "date-time"}
DECIMAL = {"type": ["string", "null"], "pattern": r"^-?\d+(\.\d+)?$"}
REF = {"type": ["integer", "null"]}


def _obj(**properties) -> dict:
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


def _list(item: dict) -> dict:
    return {"type": "array", "items": item}


def _enum(choices) -> dict:
    return {"type": "string", "enum": list(choices.values)}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _dec(value) -> str | None:
    return None if value is None else format(value, "f")


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    rows: Callable[[], QuerySet]
    # Lookup from a row to its partnership's id ("pk" for partnerships).
    partnership: str
    modified: Callable[[datetime.datetime], Q]
    item: Callable[[object], dict]
    schema: dict

    @property
    def schema_name(self) -> str:
        """Its name in the OpenAPI document's components."""
        return "".join(part.title() for part in self.name.split("-"))

    def visible_to(self, user) -> QuerySet:
        """The rows of partnerships the user sees: one subquery, the policy's."""
        return self.rows().filter(
            **{f"{self.partnership}__in": permissions.visible_partnerships(user)}
        )


def _partnership(p: Partnership) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "purpose": p.purpose,
        "success_criteria": p.success_criteria,
        "formality": p.formality,
        "status": p.status,
        "start_date": _iso(p.start_date),
        "end_date": _iso(p.end_date),
        "timezone": p.timezone,
        "shares_client_data": p.shares_client_data,
        "created_at": _iso(p.created_at),
        "updated_at": _iso(p.updated_at),
    }


def _participation(p: Participation) -> dict:
    return {
        "id": p.pk,
        "partnership": p.partnership_id,
        "organisation": {"id": p.organisation_id, "name": p.organisation.name},
        "role": p.role,
        "contribution": p.contribution,
        "joined_at": _iso(p.joined_at),
        "people": [
            {"role": r.role, "name": r.user.get_full_name() or r.user.get_username()}
            for r in p.people.all()
        ],
        "commitments": [
            {
                "kind": c.kind,
                "description": c.description,
                "amount": _dec(c.amount),
            }
            for c in p.commitments.all()
        ],
    }


def _responsibility(r: Responsibility) -> dict:
    return {
        "id": r.pk,
        "partnership": r.partnership_id,
        "title": r.title,
        "details": r.details,
        "owner": {"id": r.owner_id, "name": r.owner.name},
        "source": r.source,
        "due_date": _iso(r.due_date),
        "cadence": r.cadence,
        "status": r.status,
        "created_at": _iso(r.created_at),
        "updated_at": _iso(r.updated_at),
    }


def _meeting(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "partnership": m.series.partnership_id,
        "series": {"id": m.series_id, "title": m.series.title, "kind": m.series.kind},
        "start": _iso(m.start),
        "end": _iso(m.end),
        "state": m.state,
        "location": m.location or m.series.location,
        "held_at": _iso(m.held_at),
        "summary": m.summary,
        "updated_at": _iso(m.updated_at),
    }


def _mou(m: MOU) -> dict:
    return {
        "id": m.pk,
        "partnership": m.partnership_id,
        "title": m.title,
        "version": m.version,
        "previous": m.previous_id,
        "state": m.state,
        "effective_date": _iso(m.effective_date),
        "end_date": _iso(m.end_date),
        "content_hash": m.frozen_hash,
        "executed_at": _iso(m.executed_at),
        "ended_at": _iso(m.ended_at),
        "signatures": [
            {
                "organisation": s.organisation_id,
                "round": s.round,
                "signed_at": _iso(s.signed_at),
                "content_hash": s.content_hash,
            }
            for s in m.signatures.all()
        ],
        "created_at": _iso(m.created_at),
        "updated_at": _iso(m.updated_at),
    }


def _logic_model(m: LogicModel) -> dict:
    return {
        "id": m.pk,
        "partnership": m.partnership_id,
        "title": m.title,
        "problem_statement": m.problem_statement,
        "state": m.state,
        "next_review": _iso(m.next_review),
        "previous": m.previous_id,
        "adopted_at": _iso(m.adopted_at),
        "elements": [
            {"id": e.pk, "kind": e.kind, "text": e.text, "order": e.order}
            for e in m.elements.all()
        ],
        "links": [
            {"source": k.source_id, "target": k.target_id, "rationale": k.rationale}
            for k in m.links.all()
        ],
        "updated_at": _iso(m.updated_at),
    }


def _indicator(i: Indicator) -> dict:
    return {
        "id": i.pk,
        "partnership": i.element.model.partnership_id,
        "logic_model": i.element.model_id,
        "element": i.element_id,
        "name": i.name,
        "definition": i.definition,
        "unit": i.unit,
        "frequency": i.frequency,
        "direction": i.direction,
        "data_source": i.data_source,
        "responsible": {"id": i.responsible_id, "name": i.responsible.name},
        "numerator": i.numerator,
        "denominator": i.denominator,
        "breakdowns": i.breakdowns,
        "baseline_value": _dec(i.baseline_value),
        "baseline_date": _iso(i.baseline_date),
        "baseline_pending": i.baseline_pending,
        "reporting_from": _iso(i.reporting_from),
        "reporting_until": _iso(i.reporting_until),
        "targets": [
            {
                "period_start": _iso(t.period_start),
                "period_end": _iso(t.period_end),
                "value": _dec(t.value),
            }
            for t in i.targets.all()
        ],
        "measurements": [
            {
                "period_start": _iso(m.period_start),
                "period_end": _iso(m.period_end),
                "value": _dec(m.value),
                "numerator": _dec(m.numerator),
                "denominator": _dec(m.denominator),
                "note": m.note,
                "entered_at": _iso(m.entered_at),
            }
            for m in i.measurements.all()
        ],
    }


NAMED = _obj(id=INT, name=STR)
PERIOD = {"period_start": DATE, "period_end": DATE}

RESOURCES = [
    Resource(
        "partnerships",
        "Partnerships",
        lambda: Partnership.objects.all(),
        "pk",
        lambda since: Q(updated_at__gte=since),
        _partnership,
        _obj(
            id=INT,
            name=STR,
            purpose=STR,
            success_criteria=STR,
            formality=INT,
            status=_enum(Partnership.Status),
            start_date=DATE,
            end_date=DATE,
            timezone=STR,
            shares_client_data=BOOL,
            created_at=MOMENT,
            updated_at=MOMENT,
        ),
    ),
    Resource(
        "participations",
        "Organisations taking part, their people's roles and commitments",
        lambda: Participation.objects.select_related("organisation").prefetch_related(
            "people__user", "commitments"
        ),
        "partnership",
        lambda since: Q(joined_at__gte=since),
        _participation,
        _obj(
            id=INT,
            partnership=INT,
            organisation=NAMED,
            role=_enum(Participation.Role),
            contribution=STR,
            joined_at=MOMENT,
            people=_list(_obj(role=STR, name=STR)),
            commitments=_list(_obj(kind=STR, description=STR, amount=DECIMAL)),
        ),
    ),
    Resource(
        "responsibilities",
        "Responsibilities",
        lambda: Responsibility.objects.select_related("owner"),
        "partnership",
        lambda since: Q(updated_at__gte=since),
        _responsibility,
        _obj(
            id=INT,
            partnership=INT,
            title=STR,
            details=STR,
            owner=NAMED,
            source=_enum(Responsibility.Source),
            due_date=DATE,
            cadence=STR,
            status=_enum(Responsibility.Status),
            created_at=MOMENT,
            updated_at=MOMENT,
        ),
    ),
    Resource(
        "meetings",
        "Meetings",
        lambda: Meeting.objects.select_related("series"),
        "series__partnership",
        lambda since: Q(updated_at__gte=since) | Q(series__updated_at__gte=since),
        _meeting,
        _obj(
            id=INT,
            partnership=INT,
            series=_obj(id=INT, title=STR, kind=STR),
            start=MOMENT,
            end=MOMENT,
            state=_enum(Meeting.State),
            location=STR,
            held_at=MOMENT,
            summary=STR,
            updated_at=MOMENT,
        ),
    ),
    Resource(
        "mous",
        "MOUs and their state",
        lambda: MOU.objects.prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.filter(voided_at=None))
        ),
        "partnership",
        lambda since: Q(updated_at__gte=since),
        _mou,
        _obj(
            id=INT,
            partnership=INT,
            title=STR,
            version=INT,
            previous=REF,
            state=_enum(MOU.State),
            effective_date=DATE,
            end_date=DATE,
            content_hash=STR,
            executed_at=MOMENT,
            ended_at=MOMENT,
            signatures=_list(
                _obj(organisation=INT, round=INT, signed_at=MOMENT, content_hash=STR)
            ),
            created_at=MOMENT,
            updated_at=MOMENT,
        ),
    ),
    Resource(
        "logic-models",
        "Logic models",
        lambda: LogicModel.objects.prefetch_related("elements", "links"),
        "partnership",
        lambda since: Q(updated_at__gte=since),
        _logic_model,
        _obj(
            id=INT,
            partnership=INT,
            title=STR,
            problem_statement=STR,
            state=_enum(LogicModel.State),
            next_review=DATE,
            previous=REF,
            adopted_at=MOMENT,
            elements=_list(_obj(id=INT, kind=STR, text=STR, order=INT)),
            links=_list(_obj(source=INT, target=INT, rationale=STR)),
            updated_at=MOMENT,
        ),
    ),
    Resource(
        "indicators",
        "Indicators with targets and measurements",
        lambda: Indicator.objects.select_related(
            "element__model", "responsible"
        ).prefetch_related("targets", "measurements"),
        "element__model__partnership",
        # An indicator has no clock of its own: its model's, and its newest
        # measurement's.
        lambda since: (
            Q(element__model__updated_at__gte=since)
            | Q(
                Exists(
                    Measurement.objects.filter(
                        indicator=OuterRef("pk"), entered_at__gte=since
                    )
                )
            )
        ),
        _indicator,
        _obj(
            id=INT,
            partnership=INT,
            logic_model=INT,
            element=INT,
            name=STR,
            definition=STR,
            unit=STR,
            frequency=STR,
            direction=STR,
            data_source=STR,
            responsible=NAMED,
            numerator=STR,
            denominator=STR,
            breakdowns=STR,
            baseline_value=DECIMAL,
            baseline_date=DATE,
            baseline_pending=BOOL,
            reporting_from=DATE,
            reporting_until=DATE,
            targets=_list(_obj(**PERIOD, value=DECIMAL)),
            measurements=_list(
                _obj(
                    **PERIOD,
                    value=DECIMAL,
                    numerator=DECIMAL,
                    denominator=DECIMAL,
                    note=STR,
                    entered_at=MOMENT,
                )
            ),
        ),
    ),
]
BY_NAME = {r.name: r for r in RESOURCES}
