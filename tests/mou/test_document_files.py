"""Issue 14: the MOU as a partner's lawyer receives it. Each file is read back
with libraries other than the ones that wrote it: python-docx for the .docx,
poppler's pdftotext/pdfinfo/pdftoppm for LibreOffice's PDF."""

import datetime
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document

from mou import documents, services
from mou.models import MOU, Clause

from .conftest import commit_each_party, sign_all

pytestmark = pytest.mark.django_db

PARTIES = [
    "Eastside Housing Coalition",
    "Northside Family Services",
    "Riverside Health Clinic",
]
MARKS = {
    MOU.State.DRAFT: "DRAFT — not for signature",
    MOU.State.IN_REVIEW: "DRAFT — not for signature",
    MOU.State.SIGNING: "IN SIGNING",
    MOU.State.SUPERSEDED: "SUPERSEDED",
    MOU.State.EXPIRED: "EXPIRED",
    MOU.State.TERMINATED: "TERMINATED",
}
needs_pdf_tools = pytest.mark.skipif(
    not (documents.soffice() and shutil.which("pdftotext"))
    and os.environ.get("E2E_REQUIRED") != "1",
    reason="LibreOffice or poppler-utils is not installed",
)


class Docx:
    """What a reader of the .docx sees: body text, tables, headers, footers."""

    def __init__(self, data: bytes):
        self.document = Document(io.BytesIO(data))
        self.body = "\n".join(p.text for p in self.document.paragraphs)
        self.tables = [
            [[cell.text for cell in row.cells] for row in table.rows]
            for table in self.document.tables
        ]
        self.rows = [row for table in self.tables for row in table]
        section = self.document.sections[0]
        self.header = "\n".join(p.text for p in section.header.paragraphs)
        self.footer = "\n".join(p.text for p in section.footer.paragraphs)
        self.footer_xml = section.footer._element.xml
        self.properties = self.document.core_properties

    @property
    def text(self) -> str:
        cells = "\n".join("\t".join(row) for row in self.rows)
        return "\n".join([self.header, self.body, cells, self.footer])

    def signature_lines(self) -> dict[str, list[str]]:
        """Rows of the signature table, by organisation."""
        header = ["Organisation", "Name", "Title", "Date"]
        (table,) = [t for t in self.tables if t[0] == header]
        return {row[0]: row[1:] for row in table[1:]}


def _pdftool(tool: str, *args) -> str:
    return subprocess.run(  # noqa: S603 - poppler-utils with our own files
        [shutil.which(tool), *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


class Pdf:
    """A PDF read back with poppler: its metadata and the text of each page."""

    def __init__(self, data: bytes, folder: Path, name: str):
        assert data.startswith(b"%PDF")
        self.path = folder / f"{name}.pdf"
        self.path.write_bytes(data)
        self.info = dict(
            line.split(":", 1)
            for line in _pdftool("pdfinfo", self.path).splitlines()
            if ":" in line
        )
        self.info = {k.strip(): v.strip() for k, v in self.info.items()}
        self.iso = {
            key.strip(): value.strip()
            for key, value in (
                line.split(":", 1)
                for line in _pdftool("pdfinfo", "-isodates", self.path).splitlines()
                if line.startswith(("CreationDate", "ModDate"))
            )
        }
        count = int(self.info["Pages"])
        self.pages = [
            _pdftool("pdftotext", "-layout", "-f", n, "-l", n, self.path, "-")
            for n in range(1, count + 1)
        ]
        # Reading order (no layout): a table cell's wrapped lines stay together.
        self.reading = _pdftool("pdftotext", self.path, "-")
        # Page images to look at when a layout question comes up.
        _pdftool("pdftoppm", "-r", "50", "-png", self.path, folder / name)

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory) -> Path:
    """Where the PDFs and their page images are kept after the run."""
    return tmp_path_factory.mktemp("mou-documents")


def _amend_and_execute(cast, mou: MOU) -> MOU:
    amendment = services.mou_amend(mou=mou, by=cast.coordinator)
    services.mou_submit_for_review(mou=amendment, by=cast.coordinator)
    services.mou_open_signing(mou=amendment, by=cast.coordinator)
    sign_all(cast, amendment)
    return MOU.objects.get(pk=mou.pk)


def _in_state(cast, draft, state) -> MOU:
    """An MOU brought to `state` the way users bring it there."""
    if state == MOU.State.DRAFT:
        return draft
    if state == MOU.State.EXPIRED:
        # The end date is part of the text the parties sign.
        MOU.objects.filter(pk=draft.pk).update(end_date=datetime.date(2027, 1, 1))
    commit_each_party(draft, cast.coordinator)
    services.mou_submit_for_review(mou=draft, by=cast.coordinator)
    if state == MOU.State.IN_REVIEW:
        return MOU.objects.get(pk=draft.pk)
    services.mou_open_signing(mou=draft, by=cast.coordinator)
    if state == MOU.State.SIGNING:
        return sign_all(cast, draft, skip=[cast.housing_org])
    mou = sign_all(cast, draft)
    if state == MOU.State.SUPERSEDED:
        return _amend_and_execute(cast, mou)
    if state == MOU.State.TERMINATED:
        return services.mou_terminate(
            mou=mou,
            by=cast.coordinator,
            reason="Funding ended.",
            effective=datetime.date(2027, 1, 1),
        )
    if state == MOU.State.EXPIRED:
        services.mou_expire_due(today=datetime.date(2027, 1, 2))
    return MOU.objects.get(pk=mou.pk)


@pytest.mark.parametrize("state", list(MOU.State))
def test_every_state_exports_a_complete_docx(cast, draft, state):
    mou = _in_state(cast, draft, state)
    assert mou.state == state
    docx = Docx(documents.render_docx(mou))

    # The mark sits in the page header, so it is on every page.
    if state == MOU.State.EXECUTED:
        assert docx.header.strip() == ""
    else:
        assert docx.header.startswith(MARKS[state])
    fingerprint = mou.frozen_hash or mou.content_hash()
    assert f"{mou.title} · version {mou.version}" in docx.footer
    assert f"fingerprint {fingerprint[:8]} {fingerprint[8:16]}" in docx.footer
    assert re.search(r'w:instr=" PAGE "', docx.footer_xml)
    assert re.search(r'w:instr=" NUMPAGES "', docx.footer_xml)

    # Title block.
    block = {row[0]: row[1] for row in docx.rows if len(row) == 2}
    assert block["Partnership"] == "Eastside Family Support Partnership"
    assert block["Version"] == str(mou.version)
    assert block["State"] == mou.get_state_display()
    assert all(party in block["Parties"] for party in PARTIES)
    assert "Takes effect" in block and "Ends" in block

    # One signature line for every party, signed or awaiting.
    lines = docx.signature_lines()
    assert sorted(lines) == PARTIES
    signed = {s.organisation.name: s for s in mou.current_signatures()}
    for party, (name, title, date) in lines.items():
        if party in signed:
            assert (name, title) == (signed[party].full_name, signed[party].title)
            when = signed[party].signed_at.astimezone(
                documents.local_zone(mou.partnership)
            )
            assert date == f"{when:%d %B %Y, %H:%M} {when:%Z}"
        else:
            assert (name, title, date) == ("", "", "awaiting signature")
    if state == MOU.State.SIGNING:
        assert lines["Eastside Housing Coalition"][2] == "awaiting signature"

    # The text's own "Signatures" section heads the block: no second heading.
    agreement = docx.body.split("Certificate of completion")[0]
    assert agreement.count("Signatures") == 1
    assert "{" not in docx.text and "}" not in docx.text

    properties = docx.properties
    assert properties.title == f"{mou.title} (version {mou.version})"
    assert properties.author == "Northside Family Services"
    assert properties.subject.endswith("Eastside Family Support Partnership")
    assert abs(properties.created - mou.created_at) < datetime.timedelta(seconds=1)
    assert abs(properties.modified - mou.updated_at) < datetime.timedelta(seconds=1)


def test_an_executed_docx_carries_its_certificate_of_completion(cast, executed):
    docx = Docx(documents.render_docx(executed))
    assert "Certificate of completion" in docx.body
    assert executed.frozen_hash in docx.body
    certificate = docx.body[docx.body.index("Certificate of completion") :]
    for signature in executed.current_signatures():
        assert f"{signature.full_name}, Director, for {signature.organisation}" in (
            certificate
        )
    assert "from network address not recorded" in certificate
    assert ": Executed, by " in certificate


def test_an_export_with_a_placeholder_left_is_refused_naming_the_clause(
    cast, draft, client_for
):
    section = draft.sections.get(kind="data_sharing")
    number = list(draft.sections.all()).index(section) + 1
    Clause.objects.filter(pk=section.clauses.last().pk).update(
        text="I agree that {sender} shares my initials with {receiver}."
    )
    with pytest.raises(documents.TextIncomplete) as refused:
        documents.render_docx(draft)
    assert f"Clause {number}.2 (“Data sharing and confidentiality”)" in str(
        refused.value
    )
    assert "{sender}, {receiver}" in str(refused.value)
    response = client_for(cast.partner).get(
        reverse("mou:export", args=[draft.pk, "docx"]), follow=True
    )
    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    assert f"Clause {number}.2" in response.text


def test_saving_a_clause_that_still_holds_a_placeholder_is_refused(cast, draft):
    section = draft.sections.get(kind="purpose")
    with pytest.raises(ValidationError, match=r"Clause 1 of .* holds \{lead\}"):
        services.mou_section_save(
            mou=draft,
            section=section,
            by=cast.partner,
            base_revision_id=draft.latest_revision_id,
            heading=section.heading,
            kind=section.kind,
            clauses=[{"text": "{lead} chairs the meetings."}],
        )
    assert "{" not in section.clauses.first().text


def test_the_consent_clause_and_the_term_read_as_plain_sentences(cast):
    from mou.default_template import ensure_default_template
    from referrals import services as referral_services

    referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Families at risk",
        steps="Ask, then refer",
        fields=[],
        consent_required=True,
        consent_text="I agree that {sender} shares my initials with {receiver}.",
    )
    mou = services.mou_create_from_template(
        partnership=cast.eastside,
        template=ensure_default_template(),
        by=cast.coordinator,
    )
    assert documents.unfilled_placeholders(mou) == []
    texts = [c.text for s in mou.sections.all() for c in s.clauses.all()]
    assert (
        "The client's consent is recorded first: I agree that the referring "
        "partner shares my initials with the receiving partner." in texts
    )
    term = mou.sections.get(kind="term").clauses.get().text
    assert "continues until the parties end it" in term


@needs_pdf_tools
def test_a_draft_pdf_is_numbered_and_marked_on_every_page(cast, draft, artefacts):
    pdf = Pdf(documents.render_pdf(draft), artefacts, "draft")
    assert len(pdf.pages) >= 2
    for number, page in enumerate(pdf.pages, start=1):
        assert f"Page {number} of {len(pdf.pages)}" in page, number
        assert "DRAFT — not for signature" in page, number
        assert f"{draft.title} · version 1" in page, number
    assert pdf.info["Title"] == f"{draft.title} (version 1)"
    assert pdf.info["Author"] == "Northside Family Services"
    assert "{" not in pdf.text and "}" not in pdf.text
    assert list(artefacts.glob("draft-*.png"))


@needs_pdf_tools
def test_an_executed_pdf_ends_with_its_certificate_and_partners_download_both(
    cast, signing, client_for, artefacts
):
    signers = [
        (cast.coordinator, cast.northside, "203.0.113.7"),
        (cast.signatory, cast.riverside, "2001:db8::5"),
        (cast.housing, cast.housing_org, None),
    ]
    for user, organisation, address in signers:
        services.mou_sign(
            mou=MOU.objects.get(pk=signing.pk),
            by=user,
            organisation=organisation,
            full_name=user.get_full_name(),
            title="Director",
            fingerprint=signing.frozen_hash,
            ip_address=address,
        )
    mou = MOU.objects.get(pk=signing.pk)
    assert mou.state == MOU.State.EXECUTED

    client = client_for(cast.partner)
    response = client.get(reverse("mou:export", args=[mou.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    pdf = Pdf(response.content, artefacts, "executed")
    for number, page in enumerate(pdf.pages, start=1):
        assert f"Page {number} of {len(pdf.pages)}" in page, number
        assert "DRAFT" not in page and "IN SIGNING" not in page, number
    assert pdf.info["Author"] == "Northside Family Services"
    certificate = pdf.text[pdf.text.index("Certificate of completion") :]
    assert "Signatures" in certificate and "History" in certificate
    flat = " ".join(certificate.split())
    for user, _organisation, address in signers:
        assert user.get_full_name() in flat
        assert (address or "not recorded") in flat
    for step in ("Submitted for review", "Opened for signing", "Executed"):
        assert step in flat
    assert mou.frozen_hash in flat
    assert re.search(r"\d\d:\d\d:\d\d \w+ \(UTC[+-]\d{4}\)", flat)

    alone = client.get(reverse("mou:certificate", args=[mou.pk]))
    assert alone["Content-Disposition"].endswith('certificate.pdf"')
    alone = Pdf(alone.content, artefacts, "certificate")
    assert alone.pages[0].lstrip().startswith("Certificate of completion")
    assert mou.frozen_hash in " ".join(alone.text.split())


def test_the_certificate_follows_the_access_policy_and_needs_an_executed_mou(
    cast, draft, client_for
):
    url = reverse("mou:certificate", args=[draft.pk])
    assert client_for(cast.partner).get(url).status_code == 404  # not executed
    assert client_for(cast.outsider).get(url).status_code == 404
    client = client_for(cast.partner)
    client.logout()
    assert client.get(url).status_code == 302


def test_a_template_or_library_clause_with_an_unknown_placeholder_is_refused(
    cast, client_for
):
    from mou.default_template import ensure_default_template
    from mou.models import LibraryClause, MOUTemplateSection

    section = MOUTemplateSection(
        template=ensure_default_template(),
        kind="term",
        heading="Term",
        default_text="From {start_date} until {end_date}, renewed by {renewer}.",
    )
    with pytest.raises(ValidationError, match=r"uses \{renewer\}, which nothing"):
        section.full_clean()
    section.default_text = "From {start_date} until {end_date}."
    section.full_clean()

    response = client_for(cast.hub).post(
        reverse("mou_clauses:add"),
        {"kind": "data_sharing", "title": "Consent", "text": "{sender} asks first."},
    )
    assert response.status_code == 200
    assert "replace {sender} with words" in response.text
    assert not LibraryClause.objects.exists()
