import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from mou import documents, services
from mou.models import Clause, DocumentTemplate

pytestmark = pytest.mark.django_db
TRICKY = "Smith & Sons <Ltd> “quoted” 'single' café naïve 😀 שלום عربى"


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_an_executed_mou_exports_parties_clauses_and_signatures(cast, executed):
    text = text_of(documents.render_docx(executed))
    assert "{{" not in text and "{%" not in text
    assert "Northside Family Services — Lead partner" in text
    assert "Riverside Health Clinic refers families within two days." in text
    for user in (cast.coordinator, cast.signatory, cast.housing):
        assert (user.get_full_name() or user.username) in text
    assert executed.frozen_hash in text
    assert "DRAFT" not in text


def test_a_draft_says_it_is_not_signed_and_special_characters_survive(cast, draft):
    clause = draft.sections.first().clauses.first()
    clause.text = TRICKY
    clause.save()
    data = documents.render_docx(draft)
    header = Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text
    assert header == "DRAFT — not for signature"
    assert TRICKY in text_of(data)


def test_an_export_of_a_changed_text_says_the_signatures_do_not_match(cast, executed):
    Clause.objects.filter(section__mou=executed).update(text="Rewritten")
    data = documents.render_docx(executed)
    header = Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text
    assert header == "SIGNATURES DO NOT MATCH THIS TEXT"
    assert "these signatures do not cover it" in text_of(data)


def test_the_export_view_serves_a_docx_to_partners_only(cast, executed, client_for):
    response = client_for(cast.leader).get(
        reverse("mou:export", args=[executed.pk, "docx"])
    )
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "Riverside" in text_of(response.content)
    outsider = client_for(cast.outsider).get(
        reverse("mou:export", args=[executed.pk, "docx"])
    )
    assert outsider.status_code == 404


def _docx_with(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("layout.pdf", b"%PDF-1.4", "Upload a Word document (.docx)"),
        ("layout.docx", b"not a zip", "not a readable Word document"),
        (
            "layout.docx",
            _docx_with("{{ title }} {{ signatory_phone }}"),
            "variables the workspace does not provide: signatory_phone",
        ),
        ("layout.docx", _docx_with("{% for x in %}"), "broken tag"),
    ],
)
def test_a_bad_template_upload_is_refused_with_the_reason(
    cast, client_for, name, content, message
):
    response = client_for(cast.hub).post(
        reverse("mou_layouts:add"),
        {"name": "House style", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_without_libreoffice_pdf_export_explains_itself(
    cast, executed, client_for, monkeypatch
):
    # The one stand-in in this suite: a server without LibreOffice.
    monkeypatch.setattr(documents, "soffice", lambda: None)
    response = client_for(cast.partner).get(
        reverse("mou:export", args=[executed.pk, "pdf"]), follow=True
    )
    assert "PDF export needs LibreOffice" in response.text


def test_signing_after_a_quiet_change_is_refused(cast, signing):
    Clause.objects.filter(section__mou=signing).update(text="Changed behind the back")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="text has changed since signing opened"):
        services.mou_sign(
            mou=signing,
            by=cast.signatory,
            organisation=cast.riverside,
            full_name="Samuel Reed",
            title="CEO",
            fingerprint=signing.frozen_hash,
        )
