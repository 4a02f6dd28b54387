"""Take your data with you: a coordinator downloads the whole partnership as
one archive that independent readers accept (JSON against its schemas, CSV,
.docx, .ics, SVG), with referral client details only for their own
organisation's referrals; an empty installation imports it and exports the
same partnership again."""

import csv
import datetime
import io
import json
import zipfile

import docx
import icalendar
import jsonschema
import pytest
import recurring_ical_events
from defusedxml import ElementTree
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accountability import services as accountability_services
from api import archive, archive_import
from logicmodels import services as model_services
from meetings import services as meeting_services
from mou import services as mou_services
from mou.default_template import ensure_default_template
from partnerships.models import Organisation, Partnership
from referrals import services as referral_services
from referrals.models import Referral
from tests.referrals.conftest import protocol  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def eastside(cast, protocol):  # noqa: F811
    """Eastside with something of everything, and three referrals: Northside's
    own, Northside's with consent revoked, and one between two others."""
    e = cast.eastside
    accountability_services.responsibility_create(
        partnership=e,
        by=cast.coordinator,
        title="Care navigator rota",
        owner=cast.riverside,
        due_date=datetime.date(2026, 3, 1),
    )
    model = model_services.model_create(
        partnership=e, by=cast.coordinator, title="Family model"
    )
    activity = model_services.element_add(
        model=model, by=cast.coordinator, kind="activity", text="Home visits"
    )
    output = model_services.element_add(
        model=model, by=cast.coordinator, kind="output", text="Families visited"
    )
    model_services.link_add(
        model=model,
        by=cast.coordinator,
        source=activity,
        target=output,
        rationale="Visits reach families",
    )
    indicator = model_services.indicator_add(
        element=output,
        by=cast.coordinator,
        name="Families visited",
        responsible=cast.riverside,
        reporting_from=datetime.date(2026, 1, 1),
    )
    model_services.target_add(
        indicator=indicator,
        by=cast.coordinator,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        value=40,
    )
    model_services.measurement_add(
        indicator=indicator,
        by=cast.partner,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        value=37,
        note="Q1",
    )
    mou_services.mou_create_from_template(
        partnership=e, template=ensure_default_template(), by=cast.coordinator
    )
    meeting_services.series_create(
        partnership=e,
        by=cast.coordinator,
        title="Shared review",
        kind="shared_review",
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        start_local=datetime.datetime(2026, 1, 13, 10, 0),
        duration_minutes=60,
        tz="America/New_York",
        invitees=[],
    )

    def refer(by, sender, receiver, reference):
        return referral_services.referral_create(
            partnership=e,
            by=by,
            sender=sender,
            receiver=receiver,
            local_reference=reference,
            initials="ZZ",
            birth_year=1985,
            details={"need": "rent arrears"},
            consent={"given": True, "by": "The client", "scope": "Need"},
        )

    refer(cast.coordinator, cast.northside, cast.riverside, "OWN-1")
    revoked = refer(cast.coordinator, cast.northside, cast.riverside, "OWN-2")
    referral_services.referral_consent_revoke(
        referral=revoked, by=cast.coordinator, reason="Client asked"
    )
    refer(cast.partner, cast.riverside, cast.housing_org, "OTHERS-1")
    return e


def unzip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_archive_reads_back_with_independent_libraries(cast, client, eastside):
    client.force_login(cast.coordinator)
    response = client.get(reverse("api_archive:download", args=[eastside.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    files = unzip(response.content)
    names = set(files.namelist())
    for name in archive_import.SCHEMAS:
        schema = json.loads(files.read(f"schemas/{name[:-5]}.schema.json"))
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(json.loads(files.read(name)), schema)
    rows = list(
        csv.DictReader(io.StringIO(files.read("csv/measurements.csv").decode()))
    )
    assert rows[0]["value"] == "37.0000" and rows[0]["note"] == "Q1"
    docx_name = next(n for n in names if n.startswith("mou/") and n.endswith(".docx"))
    assert docx.Document(io.BytesIO(files.read(docx_name))).paragraphs
    ics = next(n for n in names if n.endswith(".ics"))
    calendar = icalendar.Calendar.from_ical(files.read(ics))
    dates = recurring_ical_events.of(calendar).between((2026, 1, 1), (2026, 4, 1))
    assert len(dates) == 3
    svg = next(n for n in names if n.endswith(".svg"))
    assert ElementTree.fromstring(files.read(svg)).tag.endswith("svg")
    history = json.loads(files.read("history.json"))
    assert history and all(entry["at"] for entry in history)


def test_client_details_only_for_the_coordinators_own_referrals(cast, eastside):
    files = unzip(
        archive.partnership_archive(partnership=eastside, by=cast.coordinator)
    )
    referrals = {r["id"]: r for r in json.loads(files.read("referrals.json"))}
    by_reference = {
        Referral.objects.get(pk=pk).local_reference: item
        for pk, item in referrals.items()
    }
    assert by_reference["OWN-1"]["client"]["local_reference"] == "OWN-1"
    # Consent revoked: the referral is there, its client is not.
    assert by_reference["OWN-2"]["client"] is None
    # A referral between two other organisations is not in it at all.
    assert "OTHERS-1" not in by_reference
    everything = b"".join(files.read(n) for n in files.namelist())
    assert b"OTHERS-1" not in everything and b"OWN-2" not in everything


def test_only_coordinators_download_the_archive(cast, client, eastside):
    for user in [cast.partner, cast.leader]:
        with pytest.raises(PermissionDenied):
            archive.partnership_archive(partnership=eastside, by=user)
        client.force_login(user)
        response = client.get(reverse("api_archive:download", args=[eastside.pk]))
        assert response.status_code in (302, 403)
        assert response.get("Content-Type") != "application/zip"
    client.force_login(cast.outsider)
    response = client.get(reverse("api_archive:download", args=[eastside.pk]))
    assert response.status_code == 404


def _normal(value):
    """The archive's content without what a new installation numbers or
    stamps afresh."""
    fresh = {
        "id",
        "partnership",
        "created_at",
        "updated_at",
        "joined_at",
        "logic_model",
        "element",
        "source",
        "target",
        "previous",
        "organisation",
        "responsible",
        "sender",
        "receiver",
    }
    if isinstance(value, dict):
        return {
            k: _normal(v)
            for k, v in value.items()
            if not (k in fresh and not isinstance(v, dict))
        }
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def test_an_empty_installation_imports_the_archive_and_exports_it_again(cast, eastside):
    first = unzip(archive.partnership_archive(partnership=eastside, by=cast.hub))
    Partnership.objects.all().delete()
    Organisation.objects.all().delete()
    ModelLogEntry.objects.all().delete()
    imported = archive_import.partnership_import(data=open_bytes(first), by=cast.hub)
    second = unzip(archive.partnership_archive(partnership=imported, by=cast.hub))
    for name in [
        "partnership.json",
        "organisations.json",
        "responsibilities.json",
        "meeting-series.json",
        "mous.json",
        "mou-content.json",
        "logic-models.json",
        "indicators.json",
    ]:
        assert _normal(json.loads(second.read(name))) == _normal(
            json.loads(first.read(name))
        ), name
    participations = [
        {**p, "people": []} for p in json.loads(first.read("participations.json"))
    ]
    assert _normal(json.loads(second.read("participations.json"))) == _normal(
        participations
    )

    def history(files):
        # Meeting events keep no name of who acted once accounts are gone.
        return [
            (
                e["source"].split("/")[0],
                e["action"],
                e["at"],
                "" if e["source"].startswith("meetings") else e["by"],
            )
            for e in json.loads(files.read("history.json"))
        ]

    # The same history, with the import itself recorded last.
    assert history(second)[:-1] == history(first)
    assert history(second)[-1][1] == "wagtail.create"


def open_bytes(files: zipfile.ZipFile) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in files.namelist():
            out.writestr(name, files.read(name))
    return buffer.getvalue()


def test_a_broken_archive_is_refused_whole_with_every_problem(cast, eastside):
    files = unzip(archive.partnership_archive(partnership=eastside, by=cast.hub))
    Partnership.objects.all().delete()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in files.namelist():
            data = files.read(name)
            if name == "responsibilities.json":
                items = json.loads(data)
                items[0]["due_date"] = "soon"
                del items[0]["title"]
                data = json.dumps(items).encode()
            if name != "indicators.json":
                out.writestr(name, data)
    with pytest.raises(ValidationError) as refused:
        archive_import.partnership_import(data=buffer.getvalue(), by=cast.hub)
    problems = refused.value.messages
    assert "indicators.json: missing from the archive" in problems
    assert "responsibilities.json[1]: title is missing" in problems
    assert "responsibilities.json[1].due_date: not a date" in problems
    assert not Partnership.objects.exists()
    with pytest.raises(ValidationError, match="not a zip"):
        archive_import.partnership_import(data=b"nope", by=cast.hub)
    with pytest.raises(PermissionDenied):
        archive_import.partnership_import(data=b"nope", by=cast.coordinator)
