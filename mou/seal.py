"""The workspace's seal on an executed MOU's PDF (PAdES, with pyHanko), and
the check that a PDF carries an intact seal.

The certificate and key come from the environment in production
(MOU_SEAL_CERT_FILE, MOU_SEAL_KEY_FILE, MOU_SEAL_KEY_PASSPHRASE). Elsewhere a
self-signed one is generated once into var/ so development and the demo seal
too; PDF readers then show the seal as intact but from an untrusted issuer.

The seal's reason names the SHA-256 of the agreement's text, so a sealed file
says which executed agreement it is without the workspace storing the file.

Bytes in, bytes out; no HTTP here."""

from __future__ import annotations

import datetime
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FIELD = "WorkspaceSeal"
REASON = "Executed agreement; SHA-256 of the text: {fingerprint}"
REASON_PATTERN = re.compile(r"SHA-256 of the text: ([0-9a-f]{64})")


class SealUnavailable(Exception):
    """No certificate is configured and none can be generated here."""


def _setting(name: str) -> str:
    return getattr(settings, name, None) or os.environ.get(name, "")


def _dev_paths() -> tuple[Path, Path]:
    folder = Path(settings.BASE_DIR) / "var" / "mou-seal"
    return folder / "seal-key.pem", folder / "seal-cert.pem"


def _generate_dev_certificate(key_path: Path, cert_path: Path) -> None:
    """A self-signed certificate for development and the demo, valid ten years."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Partnership workspace (demo)"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Partnership workspace"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False
        )
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a temporary name and renamed, so two processes starting at
    # once never read half a file.
    for path, data in (
        (
            key_path,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        ),
        (cert_path, certificate.public_bytes(serialization.Encoding.PEM)),
    ):
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.chmod(0o600)
        partial.replace(path)


def certificate_files() -> tuple[Path, Path, bytes | None]:
    """(key file, certificate file, passphrase) of the seal."""
    key, cert = _setting("MOU_SEAL_KEY_FILE"), _setting("MOU_SEAL_CERT_FILE")
    if key and cert:
        passphrase = _setting("MOU_SEAL_KEY_PASSPHRASE")
        return Path(key), Path(cert), passphrase.encode() if passphrase else None
    # Production says it wants a real certificate (settings.MOU_SEAL_REQUIRED).
    if getattr(settings, "MOU_SEAL_REQUIRED", False):
        raise SealUnavailable(
            "Set MOU_SEAL_KEY_FILE and MOU_SEAL_CERT_FILE to seal executed MOUs."
        )
    key_path, cert_path = _dev_paths()
    if not (key_path.exists() and cert_path.exists()):
        _generate_dev_certificate(key_path, cert_path)
    return key_path, cert_path, None


def seal_pdf(
    pdf: bytes,
    *,
    fingerprint: str,
    location: str = "",
    created: datetime.datetime | None = None,
) -> bytes:
    """The PDF with the workspace's seal over the whole file; its creation
    date `created` (the agreement's), its modification date the seal's."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key, cert, passphrase = certificate_files()
    signer = signers.SimpleSigner.load(str(key), str(cert), key_passphrase=passphrase)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if created is not None:
        writer.document_meta.created = created
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD,
        reason=REASON.format(fingerprint=fingerprint),
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


@dataclass
class Verdict:
    """What a check of a PDF's seal found."""

    sealed: bool
    intact: bool = False
    by_workspace: bool = False
    whole_file: bool = False
    fingerprint: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.sealed and self.intact and self.by_workspace and self.whole_file
        ) and bool(self.fingerprint)


def check_pdf(data: bytes) -> Verdict:
    """Whether `data` carries the workspace's seal, unbroken, over the whole
    file; and the text fingerprint the seal names."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        seals = [s for s in reader.embedded_signatures if s.field_name == FIELD]
    except Exception as error:  # not a PDF, or a damaged one
        return Verdict(sealed=False, problem=f"Not a readable PDF ({error}).")
    if not seals:
        return Verdict(sealed=False, problem="The file carries no workspace seal.")
    seal = seals[-1]
    _key, cert_path, _ = certificate_files()
    cert_bytes = cert_path.read_bytes()
    if pem.detect(cert_bytes):
        _, _, cert_bytes = pem.unarmor(cert_bytes)
    root = x509.Certificate.load(cert_bytes)
    try:
        status = validate_pdf_signature(
            seal,
            signer_validation_context=ValidationContext(
                trust_roots=[root], allow_fetching=False
            ),
        )
    except Exception as error:  # a seal too damaged to read
        return Verdict(sealed=True, problem=f"The seal cannot be read ({error}).")
    reason = str(seal.sig_object.get("/Reason", ""))
    found = REASON_PATTERN.search(reason)
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    verdict = Verdict(
        sealed=True,
        intact=bool(status.intact and status.valid),
        by_workspace=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        fingerprint=found.group(1) if found else "",
    )
    if not verdict.intact:
        verdict.problem = "The file was changed after it was sealed."
    elif not verdict.by_workspace:
        verdict.problem = "The seal is not this workspace's."
    elif not verdict.whole_file:
        verdict.problem = "Content was added to the file after it was sealed."
    return verdict
