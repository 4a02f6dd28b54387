"""Issue 14's acceptance, read back from the files: every state of the MOU as
PDF (poppler: pdfinfo, pdftotext per page, page images kept in
var/test-artifacts/mou/ to look at), the demo's agreements, and signature
times in the partnership's zone (python-docx)."""

import datetime
import re
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from mou import documents, seal, services
from mou.models import MOU

from .conftest import commit_each_party
from .test_document_files import MARKS, PARTIES, Docx, Pdf, _in_state, needs_pdf_tools

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "mou"


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _flat(text: str) -> str:
    return " ".join(text.split())


def _signature_block(pdf: Pdf) -> str:
    """The text from the signature table to the end of the agreement."""
    text = pdf.text.split("Certificate of completion")[0]
    return text[text.rindex("Signed for each party") :]


@needs_pdf_tools
@pytest.mark.parametrize("state", list(MOU.State))
def test_every_state_exports_a_pdf_as_a_lawyer_expects(cast, draft, state, artifacts):
    mou = _in_state(cast, draft, state)
    pdf = Pdf(documents.render_pdf(mou), artifacts, f"state-{state}")

    assert pdf.info["Title"] == f"{mou.title} (version {mou.version})"
    assert pdf.info["Author"] == "Northside Family Services"
    assert pdf.info["Subject"].endswith("Eastside Family Support Partnership")
    created = datetime.datetime.fromisoformat(pdf.iso["CreationDate"])
    assert abs(created - mou.created_at) < datetime.timedelta(seconds=1)

    fingerprint = documents.short_fingerprint(mou.frozen_hash or mou.content_hash())
    for number, page in enumerate(pdf.pages, start=1):
        assert f"Page {number} of {len(pdf.pages)}" in page, number
        assert f"fingerprint {fingerprint}" in page, number
        if state == MOU.State.EXECUTED:
            assert not any(mark in page for mark in MARKS.values()), number
        else:
            assert MARKS[state] in page, number
    assert "{" not in pdf.text and "}" not in pdf.text

    # One line per party: who signed and when (in the partnership's zone), or
    # that the signature is awaited.
    block = _signature_block(pdf)
    signed = {s.organisation.name: s for s in mou.current_signatures()}
    zone = zoneinfo.ZoneInfo(mou.partnership.timezone)
    rows = {
        party: _flat(line)
        for line in block.splitlines()
        for party in PARTIES
        if line.strip().startswith(party)
    }
    assert sorted(rows) == PARTIES
    for party, row in rows.items():
        if party in signed:
            when = signed[party].signed_at.astimezone(zone)
            assert signed[party].full_name in row, row
            assert row.endswith(f"{when:%d %B %Y, %H:%M} {when:%Z}"), row
        else:
            assert row.endswith("awaiting signature"), row

    # Executed agreements, and those ended since, carry the workspace's seal.
    verdict = seal.check_pdf(pdf.path.read_bytes())
    assert verdict.ok == bool(mou.executed_at)
    assert list(artifacts.glob(f"state-{state}-*.png"))


@needs_pdf_tools
def test_the_demo_agreements_read_right_at_a_glance(artifacts):
    call_command("load_demo_data", verbosity=0)
    mous = list(MOU.objects.select_related("partnership").order_by("pk"))
    assert {m.state for m in mous} >= {MOU.State.EXECUTED, MOU.State.SIGNING}
    for mou in mous:
        name = f"demo-{mou.partnership.name.split()[0].lower()}-v{mou.version}"
        pdf = Pdf(documents.render_pdf(mou), artifacts, name)
        first = _flat(pdf.pages[0])
        assert mou.title in first and "Memorandum of understanding" in first
        for label in ("Partnership", "Parties", "Version", "State", "Takes effect"):
            assert label in first, (name, label)
        for number, page in enumerate(pdf.pages, start=1):
            assert f"Page {number} of {len(pdf.pages)}" in page, (name, number)
        # Every section heading, numbered, in order, each on a line of its own.
        at = 0
        for number, section in enumerate(mou.sections.all(), start=1):
            found = re.compile(
                rf"^\s*{number}\. {re.escape(section.heading)}\s*$", re.MULTILINE
            ).search(pdf.text, at)
            assert found, (name, number, section.heading)
            at = found.end()
        assert "{" not in pdf.text and "}" not in pdf.text
        assert len(list(artifacts.glob(f"{name}-*.png"))) == len(pdf.pages)


def test_signatures_are_dated_in_the_partnerships_zone(cast, draft):
    # A zone whose date differs from UTC's right now, whatever the hour.
    now = timezone.now()
    zone_name = "Pacific/Kiritimati" if now.hour >= 12 else "Etc/GMT+12"
    zone = zoneinfo.ZoneInfo(zone_name)
    cast.eastside.timezone = zone_name
    cast.eastside.save(update_fields=["timezone"])
    commit_each_party(draft, cast.coordinator)
    services.mou_submit_for_review(mou=draft, by=cast.coordinator)
    mou = services.mou_open_signing(mou=draft, by=cast.coordinator)
    signature = services.mou_sign(
        mou=MOU.objects.get(pk=mou.pk),
        by=cast.signatory,
        organisation=cast.riverside,
        full_name="Samuel Reed",
        title="CEO",
        fingerprint=mou.frozen_hash,
    )
    local = signature.signed_at.astimezone(zone)
    assert signature.signed_on == local.date() != signature.signed_at.date()

    lines = Docx(documents.render_docx(MOU.objects.get(pk=mou.pk))).signature_lines()
    assert lines["Riverside Health Clinic"] == [
        "Samuel Reed",
        "CEO",
        f"{local:%d %B %Y, %H:%M} {local:%Z}",
    ]
