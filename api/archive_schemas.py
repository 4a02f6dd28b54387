"""The JSON Schema of each JSON file in a partnership archive. The files the
read API also serves share its schemas."""

from __future__ import annotations

from .resources import BOOL, BY_NAME, DATE, INT, MOMENT, REF, STR, _list, _obj

ANY = {}
NULLABLE_STR = {"type": ["string", "null"]}

ORGANISATION = _obj(
    id=INT, name=STR, kind=STR, email=STR, phone=STR, address=STR, website=STR
)
SERIES = _obj(
    id=INT,
    title=STR,
    kind=STR,
    rrule=STR,
    start=MOMENT,
    duration_minutes=INT,
    timezone=STR,
    location=STR,
    video_url=STR,
    agenda_template=STR,
    uid=STR,
    sequence=INT,
    published=BOOL,
    cancelled_at=MOMENT,
    meetings=_list(
        _obj(
            original_start=MOMENT,
            start=MOMENT,
            end=MOMENT,
            state=STR,
            location=STR,
            summary=STR,
        )
    ),
)
MOU_CONTENT = _obj(
    id=INT,
    sections=_list(
        _obj(
            order=INT,
            kind=STR,
            heading=STR,
            clauses=_list(
                _obj(order=INT, text=STR, responsible=REF, due_date=DATE, cadence=STR)
            ),
        )
    ),
)
CLIENT = {
    "oneOf": [
        {"type": "null"},
        _obj(
            local_reference=STR,
            initials=STR,
            birth_year=INT,
            details={"type": "object"},
            race_ethnicity=STR,
            language=STR,
            zip_code=STR,
            consent_by=STR,
            consent_scope=STR,
            consent_expires=DATE,
            status_reason=STR,
            feedback=STR,
        ),
    ]
}
REFERRAL = _obj(
    id=INT,
    sender=INT,
    receiver=INT,
    status=STR,
    requested_at=MOMENT,
    acknowledged_at=MOMENT,
    finished_at=MOMENT,
    loop_closed_at=MOMENT,
    consent_given=BOOL,
    client=CLIENT,
)
HISTORY = _obj(
    source=STR,
    action=STR,
    at=MOMENT,
    by=STR,
    message=STR,
    from_state=STR,
    to_state=STR,
    data={"type": "object"},
)


def _array(item: dict) -> dict:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **_list(item)}


SCHEMAS = {
    "partnership.json": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **BY_NAME["partnerships"].schema,
    },
    "organisations.json": _array(ORGANISATION),
    "participations.json": _array(BY_NAME["participations"].schema),
    "responsibilities.json": _array(BY_NAME["responsibilities"].schema),
    "meeting-series.json": _array(SERIES),
    "mous.json": _array(BY_NAME["mous"].schema),
    "mou-content.json": _array(MOU_CONTENT),
    "logic-models.json": _array(BY_NAME["logic-models"].schema),
    "indicators.json": _array(BY_NAME["indicators"].schema),
    "referrals.json": _array(REFERRAL),
    "history.json": _array(HISTORY),
}


def item_schema(name: str) -> dict:
    schema = SCHEMAS[name]
    return schema.get("items", schema)
