"""Issue 14: the executed MOU's PDF is sealed by the workspace; the seal is
checked with pyHanko's own validator, by `manage.py verify` and by the public
verification page, and a change of one byte is caught by each."""

import io

import pytest
from asn1crypto import pem, x509
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from mou import documents, seal, services
from mou.default_template import ensure_default_template

from .test_document_files import needs_pdf_tools

pytestmark = pytest.mark.django_db


def _validate(data: bytes):
    """pyHanko's validator, trusting the workspace's certificate."""
    _, cert_path, _ = seal.certificate_files()
    _, _, der = pem.unarmor(cert_path.read_bytes())
    context = ValidationContext(
        trust_roots=[x509.Certificate.load(der)], allow_fetching=False
    )
    (signature,) = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    return validate_pdf_signature(signature, signer_validation_context=context)


def _one_byte_changed(data: bytes) -> bytes:
    """The file with one byte of its page text changed (same length, same
    layout), as an editor that "fixes a typo" would leave it."""
    at = data.index(b"stream\n", 2000) + 200
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


@needs_pdf_tools
def test_the_executed_pdf_is_sealed_and_any_change_is_caught(
    cast, executed, client_for, tmp_path
):
    client = client_for(cast.partner)
    sealed = client.get(reverse("mou:export", args=[executed.pk, "pdf"])).content
    status = _validate(sealed)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    changed = _one_byte_changed(sealed)
    assert len(changed) == len(sealed) and changed != sealed
    assert not _validate(changed).intact

    good, bad = tmp_path / "mou.pdf", tmp_path / "changed.pdf"
    good.write_bytes(sealed)
    bad.write_bytes(changed)
    out = io.StringIO()
    call_command("verify", str(good), stdout=out)
    assert "valid — sealed by this workspace, unchanged" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(CommandError, match="Not valid"):
        call_command("verify", str(bad), stdout=out)
    assert "changed after it was sealed" in out.getvalue()

    client.logout()  # the page is public
    yes = client.post("/verify/", {"file": SimpleUploadedFile("a.pdf", sealed)})
    assert "<strong>Yes.</strong>" in yes.text
    no = client.post("/verify/", {"file": SimpleUploadedFile("a.pdf", changed)})
    assert "<strong>No.</strong> The file was changed after it was sealed." in no.text
    for page in (yes.text, no.text):
        assert executed.title not in page and "Riverside" not in page


def test_the_verification_page_answers_for_a_fingerprint_and_reveals_nothing(
    cast, executed, client
):
    fingerprint = executed.frozen_hash
    typed = {
        "full": fingerprint,
        "as printed in the footer": f"{fingerprint[:8]} {fingerprint[8:16]}",
        "in capitals": fingerprint[:16].upper(),
    }
    for how, text in typed.items():
        page = client.post("/verify/", {"fingerprint": text}).text
        assert "<strong>Yes.</strong>" in page, how
        assert "it is in effect" in page, how
        assert executed.title not in page and "Riverside" not in page
    # A text never executed (the other partnership's draft), or noise: no.
    draft = services.mou_create_from_template(
        partnership=cast.lakeshore,
        template=ensure_default_template(),
        by=cast.outsider,
    )
    other = documents.short_fingerprint(draft.content_hash()).replace(" ", "")
    for text in (other, "0" * 64, "not a fingerprint"):
        page = client.post("/verify/", {"fingerprint": text}).text
        assert "<strong>No.</strong> No agreement executed" in page, text
    page = client.post(
        "/verify/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7 not really")}
    ).text
    assert "<strong>No.</strong>" in page
    assert client.get("/verify/").status_code == 200
