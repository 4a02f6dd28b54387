"""Take your data with you: a whole partnership as one zip archive. JSON for
every object (each file with its JSON Schema beside it), CSV for the tabular
parts, each MOU version as .docx (and PDF once signed, where LibreOffice is
installed), the calendars as .ics, each logic model's diagram as SVG, and the
history. Referral client details only for the referrals of the exporting
coordinator's own organisations. A pure exporter: objects in, bytes out."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.models import ModelLogEntry

from logicmodels.selectors import diagram_svg
from meetings import ical
from meetings.models import Meeting, MeetingEvent, MeetingSeries
from mou import documents
from mou.models import MOU, MOUEvent
from partnerships import permissions
from partnerships.models import Organisation, Partnership
from referrals.models import Referral

from .archive_schemas import SCHEMAS, item_schema
from .resources import BY_NAME

FORMAT = "partnership-archive"
VERSION = 1
SIGNED = {"executed", "superseded", "expired", "terminated"}


def _iso(value):
    return value.isoformat() if value is not None else None


def _rows(name: str, partnership: Partnership) -> list[dict]:
    resource = BY_NAME[name]
    rows = resource.rows().filter(**{resource.partnership: partnership.pk})
    return [resource.item(row) for row in rows.order_by("pk")]


def _organisations(partnership: Partnership) -> list[dict]:
    organisations = Organisation.objects.filter(
        participations__partnership=partnership
    ).order_by("pk")
    return [
        {
            "id": o.pk,
            "name": o.name,
            "kind": o.kind,
            "email": o.email,
            "phone": o.phone,
            "address": o.address,
            "website": o.website,
        }
        for o in organisations
    ]


def _series(partnership: Partnership) -> list[MeetingSeries]:
    return list(
        MeetingSeries.objects.filter(partnership=partnership)
        .select_related("partnership", "organiser")
        .prefetch_related("meetings")
        .order_by("pk")
    )


def _series_item(s: MeetingSeries) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "kind": s.kind,
        "rrule": s.rrule,
        "start": _iso(s.start),
        "duration_minutes": s.duration_minutes,
        "timezone": s.timezone,
        "location": s.location,
        "video_url": s.video_url,
        "agenda_template": s.agenda_template,
        "uid": s.uid,
        "sequence": s.sequence,
        "published": s.published,
        "cancelled_at": _iso(s.cancelled_at),
        "meetings": [
            {
                "original_start": _iso(m.original_start),
                "start": _iso(m.start),
                "end": _iso(m.end),
                "state": m.state,
                "location": m.location,
                "summary": m.summary,
            }
            for m in s.meetings.all()
        ],
    }


def _mou_content(partnership: Partnership) -> list[dict]:
    mous = MOU.objects.filter(partnership=partnership).prefetch_related(
        "sections__clauses"
    )
    return [
        {
            "id": m.pk,
            "sections": [
                {
                    "order": s.order,
                    "kind": s.kind,
                    "heading": s.heading,
                    "clauses": [
                        {
                            "order": c.order,
                            "text": c.text,
                            "responsible": c.responsible_id,
                            "due_date": _iso(c.due_date),
                            "cadence": c.cadence,
                        }
                        for c in s.clauses.all()
                    ],
                }
                for s in m.sections.all()
            ],
        }
        for m in mous.order_by("pk")
    ]


def _referrals(partnership: Partnership, by) -> list[dict]:
    """Every referral of the partnership the coordinator sees; the client's
    details only where the policy lets them read them (their own
    organisation's referrals, while consent stands)."""
    referrals = permissions.referrals_visible_to(
        by, Referral.objects.filter(partnership=partnership)
    ).select_related("partnership")
    items = []
    for r in referrals.order_by("pk"):
        client = None
        if permissions.can_see_referral_details(by, r):
            client = {
                "local_reference": r.local_reference,
                "initials": r.initials,
                "birth_year": r.birth_year,
                "details": r.details,
                "race_ethnicity": r.race_ethnicity,
                "language": r.language,
                "zip_code": r.zip_code,
                "consent_by": r.consent_by,
                "consent_scope": r.consent_scope,
                "consent_expires": _iso(r.consent_expires),
                "status_reason": r.status_reason,
                "feedback": r.feedback,
            }
        items.append(
            {
                "id": r.pk,
                "sender": r.sender_id,
                "receiver": r.receiver_id,
                "status": r.status,
                "requested_at": _iso(r.requested_at),
                "acknowledged_at": _iso(r.acknowledged_at),
                "finished_at": _iso(r.finished_at),
                "loop_closed_at": _iso(r.loop_closed_at),
                "consent_given": r.consent_given,
                "client": client,
            }
        )
    return items


def _by(user, data: dict) -> str:
    """Who acted: their login, or the name an imported entry kept."""
    if user is not None:
        return user.get_username()
    return str(data.get("by", "")) if isinstance(data, dict) else ""


def _history(partnership: Partnership, mou_ids, series_ids) -> list[dict]:
    entries = [
        {
            "source": "partnership",
            "action": e.action,
            "at": _iso(e.timestamp),
            "by": _by(e.user, e.data),
            "message": str(e.message),
            "from_state": "",
            "to_state": "",
            "data": e.data,
        }
        for e in ModelLogEntry.objects.for_instance(partnership).select_related("user")
    ]
    for event in MOUEvent.objects.filter(mou_id__in=mou_ids).select_related("user"):
        entries.append(
            {
                "source": f"mou/{event.mou_id}",
                "action": event.action,
                "at": _iso(event.created_at),
                "by": _by(event.user, event.data),
                "message": f"{event.from_state} → {event.to_state}".strip(" →"),
                "from_state": event.from_state,
                "to_state": event.to_state,
                "data": event.data,
            }
        )
    for event in MeetingEvent.objects.filter(series_id__in=series_ids).select_related(
        "user"
    ):
        entries.append(
            {
                "source": f"meetings/{event.series_id}",
                "action": event.action,
                "at": _iso(event.created_at),
                "by": _by(event.user, {}),
                "message": f"{event.from_state} → {event.to_state}".strip(" →"),
                "from_state": event.from_state,
                "to_state": event.to_state,
                "data": {"note": event.note} if event.note else {},
            }
        )
    return sorted(entries, key=lambda e: e["at"] or "")


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})
    return out.getvalue().encode("utf-8")


def _flat_measurements(indicators: list[dict]) -> list[dict]:
    return [
        {"indicator": i["id"], "indicator_name": i["name"], **m}
        for i in indicators
        for m in i["measurements"]
    ]


def partnership_archive(*, partnership: Partnership, by) -> bytes:
    """The whole partnership as a zip, for a coordinator (or hub staff)."""
    if not permissions.can_coordinate(by, partnership) and not (
        by.is_active and by.is_staff
    ):
        raise PermissionDenied("Only the partnership's coordinators export it whole.")
    series = _series(partnership)
    files: dict[str, object] = {
        "partnership.json": BY_NAME["partnerships"].item(partnership),
        "organisations.json": _organisations(partnership),
        "participations.json": _rows("participations", partnership),
        "responsibilities.json": _rows("responsibilities", partnership),
        "meeting-series.json": [_series_item(s) for s in series],
        "mous.json": _rows("mous", partnership),
        "mou-content.json": _mou_content(partnership),
        "logic-models.json": _rows("logic-models", partnership),
        "indicators.json": _rows("indicators", partnership),
        "referrals.json": _referrals(partnership, by),
    }
    files["history.json"] = _history(
        partnership,
        [m["id"] for m in files["mous.json"]],
        [s.pk for s in series],
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, json.dumps(data, indent=1, ensure_ascii=False))
            archive.writestr(
                f"schemas/{name.replace('.json', '.schema.json')}",
                json.dumps(SCHEMAS[name], indent=1),
            )
        tables = {
            "responsibilities": (
                files["responsibilities.json"],
                list(item_schema("responsibilities.json")["properties"]),
            ),
            "measurements": (
                _flat_measurements(files["indicators.json"]),
                [
                    "indicator",
                    "indicator_name",
                    "period_start",
                    "period_end",
                    "value",
                    "numerator",
                    "denominator",
                    "note",
                    "entered_at",
                ],
            ),
            "referrals": (
                files["referrals.json"],
                [
                    "id",
                    "sender",
                    "receiver",
                    "status",
                    "requested_at",
                    "acknowledged_at",
                    "finished_at",
                    "loop_closed_at",
                ],
            ),
        }
        for name, (rows, columns) in tables.items():
            archive.writestr(f"csv/{name}.csv", _csv(rows, columns))
        for mou in MOU.objects.filter(partnership=partnership).select_related(
            "partnership"
        ):
            stem = f"mou/{mou.pk}-v{mou.version}"
            archive.writestr(f"{stem}.docx", documents.render_docx(mou))
            if mou.state in SIGNED and documents.soffice():
                archive.writestr(f"{stem}.pdf", documents.render_pdf(mou))
        for s in series:
            overrides = [
                m
                for m in s.meetings.all()
                if m.state == Meeting.State.CANCELLED or m.is_moved
            ]
            calendar = ical.build_calendar([(s, overrides, [])], name=s.title)
            archive.writestr(f"calendars/series-{s.pk}.ics", ical.to_bytes(calendar))
        from logicmodels.models import LogicModel

        for model in LogicModel.objects.filter(partnership=partnership):
            archive.writestr(f"logic-models/{model.pk}.svg", diagram_svg(model))
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "exported_at": timezone.now().isoformat(),
                    "partnership": partnership.name,
                    "files": sorted(archive.namelist()),
                },
                indent=1,
            ),
        )
    return buffer.getvalue()
