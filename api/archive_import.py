"""Bring a partnership archive (archive.py) into an installation: every file
is checked against its schema first, every problem listed, and nothing is
saved unless all of it can be. Organisations are matched by name or created;
people are not carried over (accounts belong to the installation), so roles,
signatures and referrals stay in the archive as the record."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from accountability.models import Responsibility
from logicmodels.models import (
    Element,
    Indicator,
    Link,
    LogicModel,
    Measurement,
    Target,
)
from meetings.models import Meeting, MeetingEvent, MeetingSeries
from mou.models import MOU, Clause, MOUEvent, Section
from partnerships.models import (
    Organisation,
    Participation,
    Partnership,
    SustainabilityCommitment,
)

from .archive import FORMAT, VERSION
from .archive_schemas import SCHEMAS

MAX_BYTES = 100 * 1024 * 1024
MAX_FILES = 10_000


def _problems(value, schema: dict, where: str) -> list[str]:
    """What in `value` does not fit `schema` (the subset of JSON Schema the
    archive's schemas use)."""
    if "oneOf" in schema:
        if any(not _problems(value, s, where) for s in schema["oneOf"]):
            return []
        return [f"{where}: not any of the allowed shapes"]
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        checks = {
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "null": lambda v: v is None,
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
        }
        if not any(checks[k](value) for k in kinds):
            return [f"{where}: expected {' or '.join(kinds)}"]
    found = []
    if isinstance(value, str) and schema.get("format") in ("date", "date-time"):
        try:
            parse = (
                datetime.date.fromisoformat
                if schema["format"] == "date"
                else datetime.datetime.fromisoformat
            )
            parse(value)
        except ValueError:
            found.append(f"{where}: not a {schema['format']}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, dict) and "properties" in schema:
        for key in schema.get("required", []):
            if key not in value:
                found.append(f"{where}: {key} is missing")
        for key, inner in schema["properties"].items():
            if key in value:
                found += _problems(value[key], inner, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value, 1):
            found += _problems(item, schema["items"], f"{where}[{n}]")
    return found


def read_archive(data: bytes) -> dict:
    """The archive's JSON files, checked; a ValidationError lists every
    problem by file and place."""
    if len(data) > MAX_BYTES:
        raise ValidationError("The archive is larger than 100 MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile:
        raise ValidationError("This is not a zip archive.") from None
    if len(names) > MAX_FILES:
        raise ValidationError("The archive holds too many files.")
    problems = []
    files = {}
    for name in ["manifest.json", *SCHEMAS]:
        if name not in names:
            problems.append(f"{name}: missing from the archive")
            continue
        info = archive.getinfo(name)
        if info.file_size > MAX_BYTES:
            problems.append(f"{name}: too large")
            continue
        try:
            files[name] = json.loads(archive.read(name).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            problems.append(f"{name}: not UTF-8 JSON ({error})")
    manifest = files.get("manifest.json")
    if isinstance(manifest, dict) and (
        manifest.get("format") != FORMAT or manifest.get("version") != VERSION
    ):
        problems.append(f"manifest.json: not a {FORMAT} of version {VERSION}")
    for name, schema in SCHEMAS.items():
        if name in files:
            problems += _problems(files[name], schema, name)
    if problems:
        raise ValidationError(problems)
    return files


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _moment(value):
    return datetime.datetime.fromisoformat(value) if value else None


def _dec(value):
    return Decimal(value) if value not in (None, "") else None


@transaction.atomic
def partnership_import(*, data: bytes, by) -> Partnership:
    """Recreate the archived partnership (hub staff only)."""
    if not (by.is_active and by.is_staff):
        raise PermissionDenied("Only hub staff import a partnership.")
    files = read_archive(data)
    p = files["partnership.json"]
    if Partnership.objects.filter(name=p["name"]).exists():
        raise ValidationError(f"A partnership named “{p['name']}” is already here.")
    orgs = {}
    for o in files["organisations.json"]:
        found = Organisation.objects.filter(name=o["name"]).first()
        if found is None:
            found = Organisation.objects.create(
                **{k: v for k, v in o.items() if k != "id"}
            )
        orgs[o["id"]] = found
    partnership = Partnership.objects.create(
        name=p["name"],
        purpose=p["purpose"],
        success_criteria=p["success_criteria"],
        formality=p["formality"],
        status=p["status"],
        start_date=_date(p["start_date"]),
        end_date=_date(p["end_date"]),
        timezone=p["timezone"],
        shares_client_data=p["shares_client_data"],
        created_by=by,
    )
    for item in files["participations.json"]:
        participation = Participation.objects.create(
            partnership=partnership,
            organisation=orgs[item["organisation"]["id"]],
            role=item["role"],
            contribution=item["contribution"],
        )
        SustainabilityCommitment.objects.bulk_create(
            SustainabilityCommitment(
                participation=participation,
                kind=c["kind"],
                description=c["description"],
                amount=_dec(c["amount"]),
            )
            for c in item["commitments"]
        )
    Responsibility.objects.bulk_create(
        Responsibility(
            partnership=partnership,
            title=r["title"],
            details=r["details"],
            owner=orgs[r["owner"]["id"]],
            source=r["source"],
            due_date=_date(r["due_date"]),
            cadence=r["cadence"],
            status=r["status"],
            created_by=by,
        )
        for r in files["responsibilities.json"]
    )
    series = _meetings(files, partnership, by)
    mous = _mous(files, partnership, orgs, by)
    _logic_models(files, partnership, orgs, by)
    _history(files, partnership, mous=mous, series=series)
    log(
        partnership,
        "wagtail.create",
        user=by,
        title=partnership.name,
        data={"imported": True},
    )
    return partnership


def _meetings(files, partnership, by) -> dict:
    made = {}
    for s in files["meeting-series.json"]:
        series = MeetingSeries.objects.create(
            partnership=partnership,
            title=s["title"],
            kind=s["kind"],
            rrule=s["rrule"],
            start=_moment(s["start"]),
            duration_minutes=s["duration_minutes"],
            timezone=s["timezone"],
            location=s["location"],
            video_url=s["video_url"],
            agenda_template=s["agenda_template"],
            uid=s["uid"],
            sequence=s["sequence"],
            organiser=by,
            published=s["published"],
            cancelled_at=_moment(s["cancelled_at"]),
        )
        made[f"meetings/{s['id']}"] = series
        for m in s["meetings"]:
            # The archived state is the record: set once, at creation.
            Meeting.objects.create(
                series=series,
                original_start=_moment(m["original_start"]),
                start=_moment(m["start"]),
                end=_moment(m["end"]),
                state=m["state"],
                location=m["location"],
                summary=m["summary"],
            )
    return made


def _mous(files, partnership, orgs, by) -> dict:
    content = {c["id"]: c["sections"] for c in files["mou-content.json"]}
    made = {}
    for m in files["mous.json"]:
        mou = MOU.objects.create(
            partnership=partnership,
            title=m["title"],
            version=m["version"],
            state=m["state"],
            effective_date=_date(m["effective_date"]),
            end_date=_date(m["end_date"]),
            frozen_hash=m["content_hash"],
            executed_at=_moment(m["executed_at"]),
            ended_at=_moment(m["ended_at"]),
            created_by=by,
        )
        made[m["id"]] = (mou, m["previous"])
        for s in content.get(m["id"], []):
            section = Section.objects.create(
                mou=mou, order=s["order"], kind=s["kind"], heading=s["heading"]
            )
            Clause.objects.bulk_create(
                Clause(
                    section=section,
                    order=c["order"],
                    text=c["text"],
                    responsible=orgs.get(c["responsible"]),
                    due_date=_date(c["due_date"]),
                    cadence=c["cadence"],
                )
                for c in s["clauses"]
            )
    for mou, previous in made.values():
        if previous in made:
            mou.previous = made[previous][0]
            mou.save(update_fields=["previous"])
    return {f"mou/{old}": mou for old, (mou, _) in made.items()}


def _logic_models(files, partnership, orgs, by) -> None:
    elements = {}
    models = {}
    for m in files["logic-models.json"]:
        model = LogicModel.objects.create(
            partnership=partnership,
            title=m["title"],
            problem_statement=m["problem_statement"],
            state=m["state"],
            next_review=_date(m["next_review"]),
            adopted_at=_moment(m["adopted_at"]),
            created_by=by,
        )
        models[m["id"]] = (model, m["previous"])
        for e in m["elements"]:
            elements[e["id"]] = Element.objects.create(
                model=model, kind=e["kind"], text=e["text"], order=e["order"]
            )
        Link.objects.bulk_create(
            Link(
                model=model,
                source=elements[k["source"]],
                target=elements[k["target"]],
                rationale=k["rationale"],
            )
            for k in m["links"]
        )
    for model, previous in models.values():
        if previous in models:
            model.previous = models[previous][0]
            model.save(update_fields=["previous"])
    for i in files["indicators.json"]:
        indicator = Indicator.objects.create(
            element=elements[i["element"]],
            name=i["name"],
            definition=i["definition"],
            unit=i["unit"],
            numerator=i["numerator"],
            denominator=i["denominator"],
            frequency=i["frequency"],
            direction=i["direction"],
            data_source=i["data_source"],
            responsible=orgs[i["responsible"]["id"]],
            breakdowns=i["breakdowns"],
            baseline_value=_dec(i["baseline_value"]),
            baseline_date=_date(i["baseline_date"]),
            baseline_pending=i["baseline_pending"],
            reporting_from=_date(i["reporting_from"]),
            reporting_until=_date(i["reporting_until"]),
        )
        Target.objects.bulk_create(
            Target(
                indicator=indicator,
                period_start=_date(t["period_start"]),
                period_end=_date(t["period_end"]),
                value=_dec(t["value"]),
            )
            for t in i["targets"]
        )
        Measurement.objects.bulk_create(
            Measurement(
                indicator=indicator,
                period_start=_date(m["period_start"]),
                period_end=_date(m["period_end"]),
                value=_dec(m["value"]),
                numerator=_dec(m["numerator"]),
                denominator=_dec(m["denominator"]),
                note=m["note"],
                entered_at=_moment(m["entered_at"]),
            )
            for m in i["measurements"]
        )


def _history(files, partnership, *, mous: dict, series: dict) -> None:
    """The partnership's, its MOUs' and its meetings' history, with the
    original times; who acted is kept by name (accounts do not travel)."""
    content_type = ContentType.objects.get_for_model(Partnership)
    ModelLogEntry.objects.bulk_create(
        ModelLogEntry(
            content_type=content_type,
            object_id=str(partnership.pk),
            label=partnership.name,
            action=e["action"],
            data={**e["data"], "by": e["by"]},
            timestamp=_moment(e["at"]),
        )
        for e in files["history.json"]
        if e["source"] == "partnership"
    )
    entries = files["history.json"]
    MOUEvent.objects.bulk_create(
        MOUEvent(
            mou=mous[e["source"]],
            action=e["action"],
            created_at=_moment(e["at"]),
            from_state=e["from_state"],
            to_state=e["to_state"],
            data={**e["data"], "by": e["by"]},
        )
        for e in entries
        if e["source"] in mous
    )
    MeetingEvent.objects.bulk_create(
        MeetingEvent(
            series=series[e["source"]],
            action=e["action"],
            created_at=_moment(e["at"]),
            from_state=e["from_state"],
            to_state=e["to_state"],
            note=e["data"].get("note", ""),
        )
        for e in entries
        if e["source"] in series
    )
