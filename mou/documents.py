"""MOU documents: .docx through docxtpl (autoescaped, strict about unknown
variables) and PDF through LibreOffice where it is installed.

Layouts are uploaded by hub staff, so their Jinja tags are code written by
someone other than us: they render only in Jinja's sandbox, and the upload
check refuses a layout that reaches for Python internals.

Model instances in, bytes out; no HTTP here."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import zoneinfo
from functools import lru_cache

import jinja2
import jinja2.meta
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Inches, Pt, RGBColor
from docxcompose.composer import Composer
from docxtpl import DocxTemplate

from . import pdf
from .layouts import (
    LayoutRefused,
    _internals,
    _jinja_env,
    _template_sources,
)

STATE_MARKS = {
    "draft": "DRAFT — not for signature",
    "in_review": "DRAFT — not for signature",
    "signing": "IN SIGNING — not in effect until every party has signed",
    "superseded": "SUPERSEDED — replaced by a later version",
    "expired": "EXPIRED — no longer in effect",
    "terminated": "TERMINATED — no longer in effect",
}
MISMATCH_MARK = "SIGNATURES DO NOT MATCH THIS TEXT"
AWAITING = "awaiting signature"

# Organisation, name, title, date: 6.5 inches between the margins.
SIGNATURE_COLUMNS = (Inches(2.0), Inches(1.4), Inches(1.0), Inches(2.1))

# A {name} left in a clause: text a template meant to be filled in.
PLACEHOLDER = re.compile(r"\{[^{}\n]{0,80}\}")


# docxtpl renders these core properties of the document as templates too.
class PDFUnavailable(Exception):
    """LibreOffice is not installed on this server."""


class TextIncomplete(Exception):
    """The MOU's text still holds placeholders; the message names the clauses."""


def placeholders_in(text: str) -> list[str]:
    """The {placeholders} left in a piece of text, in order, without repeats."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text or "")))


def unfilled_placeholders(mou) -> list[str]:
    """One line per clause (numbered as in the document) that still holds a
    placeholder; empty when the text is complete."""
    problems = []
    for number, section in enumerate(mou.sections.prefetch_related("clauses"), 1):
        found = placeholders_in(section.heading)
        if found:
            problems.append(
                f"Section {number} (“{section.heading}”) heading: " + ", ".join(found)
            )
        for clause_number, clause in enumerate(section.clauses.all(), 1):
            found = placeholders_in(clause.text)
            if found:
                problems.append(
                    f"Clause {number}.{clause_number} (“{section.heading}”): "
                    + ", ".join(found)
                )
    return problems


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the reader fills in on each page."""
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} ">'
            "<w:r><w:t>1</w:t></w:r></w:fldSimple>"
        )
    )


@lru_cache(maxsize=1)
def default_template_bytes() -> bytes:
    """The layout shipped with the product, built in code so it stays in step
    with TEMPLATE_VARIABLES."""
    document = Document()
    styles = document.styles
    styles["Normal"].font.name = "Liberation Sans"
    styles["Normal"].font.size = Pt(11)
    page = document.sections[0]

    # The header and footer repeat on every page: the state mark above, the
    # title, version, fingerprint and page number below.
    mark = page.header.paragraphs[0]
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = mark.add_run("{{ state_mark }}")
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(
        "{{ title }} · version {{ version }} · fingerprint {{ fingerprint }}"
    ).font.size = Pt(8)
    numbers = page.footer.add_paragraph()
    numbers.alignment = WD_ALIGN_PARAGRAPH.CENTER
    numbers.add_run("Page ")
    _field(numbers, "PAGE")
    numbers.add_run(" of ")
    _field(numbers, "NUMPAGES")

    document.add_heading("{{ title }}", level=0)
    document.add_paragraph("Memorandum of understanding")
    block = document.add_table(rows=0, cols=2)
    block.style = "Table Grid"
    for label, value in [
        ("Partnership", "{{ partnership }}"),
        (
            "Parties",
            "{% for party in parties %}{{ party.name }} — {{ party.role }}"
            "{% if not loop.last %}; {% endif %}{% endfor %}",
        ),
        ("Version", "{{ version }}"),
        ("State", "{{ state }}"),
        ("Takes effect", "{{ effective_date }}"),
        (
            "Ends",
            "{% if end_date %}{{ end_date }}{% else %}when the parties "
            "end it{% endif %}",
        ),
        ("Text fingerprint", "{{ fingerprint }}"),
    ]:
        cells = block.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].paragraphs[0].runs[0].bold = True

    document.add_paragraph("{%p for section in sections %}")
    document.add_heading("{{ section.number }}. {{ section.heading }}", level=1)
    document.add_paragraph("{%p for clause in section.clauses %}")
    document.add_paragraph(
        "{{ section.number }}.{{ clause.number }}  {{ clause.text }}"
        "{% if clause.responsible %} (Responsible: {{ clause.responsible }}"
        "{% if clause.due %}; {{ clause.due }}{% endif %}){% endif %}"
    )
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endfor %}")

    # The text's own "Signatures" section (if any) heads the block; only an
    # MOU without one gets a heading here.
    document.add_paragraph("{%p if not has_signature_section %}")
    document.add_heading("Signatures", level=1)
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("Signed for each party:")
    table = document.add_table(rows=3, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ["Organisation", "Name", "Title", "Date"],
        strict=True,
    ):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for line in signature_lines %}"
    for cell, text in zip(
        table.rows[2].cells,
        [
            "{{ line.organisation }}",
            "{{ line.name }}",
            "{{ line.title }}",
            "{{ line.date }}",
        ],
        strict=True,
    ):
        cell.text = text
    table.add_row().cells[0].text = "{%tr endfor %}"
    # Wide enough that a party's name and a signature's date and zone keep to
    # one line each: a row reads across, in print and when copied as text.
    table.autofit = False
    for column, width in zip(table.columns, SIGNATURE_COLUMNS, strict=True):
        column.width = width  # the grid LibreOffice lays out by
    for row in table.rows:
        for cell, width in zip(row.cells, SIGNATURE_COLUMNS, strict=True):
            cell.width = width
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    document.add_paragraph(
        "SHA-256 of the signed text: {{ content_hash }}"
        "{% if not hash_matches %} — WARNING: the text has changed since it was "
        "signed; these signatures do not cover it.{% endif %}"
    )
    document.add_paragraph("Generated on {{ generated_on }}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def context_for(mou) -> dict:
    from django.utils import timezone

    zone = local_zone(mou.partnership)
    sections = list(mou.sections.prefetch_related("clauses__responsible"))
    roles = dict(
        mou.partnership.participations.values_list("organisation__name", "role")
    )
    signatures = list(mou.current_signatures().select_related("organisation"))
    executed = mou.state == mou.State.EXECUTED
    hash_matches = mou.signatures_match() if mou.frozen_hash else True
    content_hash = mou.frozen_hash or mou.content_hash()
    mark = STATE_MARKS.get(mou.state, "") if hash_matches else MISMATCH_MARK
    signed = {s.organisation.name: s for s in signatures}
    return {
        "title": mou.title,
        "version": mou.version,
        "partnership": mou.partnership.name,
        "purpose": mou.partnership.purpose,
        "state": mou.get_state_display(),
        "is_executed": executed,
        "draft_notice": mark,
        "state_mark": mark,
        "fingerprint": short_fingerprint(content_hash),
        "lead": next((n for n, r in roles.items() if r == "lead"), ""),
        "effective_date": mou.effective_date.strftime("%d %B %Y")
        if mou.effective_date
        else "on signature by all parties",
        "end_date": mou.end_date.strftime("%d %B %Y") if mou.end_date else "",
        "parties": [
            {"name": name, "role": "Lead partner" if role == "lead" else "Partner"}
            for name, role in sorted(roles.items())
        ],
        "sections": [
            {
                "number": index,
                "heading": section.heading,
                "clauses": [
                    {
                        "number": number,
                        "text": clause.text,
                        "responsible": clause.responsible.name
                        if clause.responsible
                        else "",
                        "due": (
                            f"due {clause.due_date:%d %B %Y}" if clause.due_date else ""
                        )
                        + (
                            f" {clause.get_cadence_display().lower()}"
                            if clause.cadence
                            else ""
                        ),
                    }
                    for number, clause in enumerate(section.clauses.all(), start=1)
                ],
            }
            for index, section in enumerate(sections, start=1)
        ],
        "signatures": [
            {
                "organisation": s.organisation.name,
                "name": s.full_name,
                "title": s.title,
                "date": signed_when(s.signed_at, zone),
                "hash": s.content_hash[:16] + "…",
            }
            for s in signatures
        ],
        "signature_lines": [
            {
                "organisation": name,
                "name": signed[name].full_name if name in signed else "",
                "title": signed[name].title if name in signed else "",
                "date": signed_when(signed[name].signed_at, zone)
                if name in signed
                else AWAITING,
                "signed": name in signed,
            }
            for name in sorted(roles)
        ],
        "has_signature_section": any(s.kind == "signatures" for s in sections),
        "content_hash": content_hash,
        "hash_matches": hash_matches,
        "generated_on": timezone.localdate(timezone=zone).strftime("%d %B %Y"),
    }


def short_fingerprint(content_hash: str) -> str:
    """The first 16 hex digits of the text's SHA-256, in two groups: enough to
    compare by eye with the fingerprint shown in the workspace."""
    return f"{content_hash[:8]} {content_hash[8:16]}"


def render_docx(mou, template_file=None) -> bytes:
    """The MOU as a Word document, in the active uploaded layout or the default;
    an executed MOU's certificate of completion follows its text. Refused while
    a clause still holds a placeholder."""
    unfilled = unfilled_placeholders(mou)
    if unfilled:
        raise TextIncomplete(
            "This MOU cannot be exported yet: placeholders are still in its text ("
            + "; ".join(unfilled)
            + "). Edit those clauses to say what is meant, then export again."
        )
    if template_file is None:
        source = io.BytesIO(default_template_bytes())
    else:
        template_file.open("rb")
        source = io.BytesIO(template_file.read())
        template_file.close()
    document = DocxTemplate(source)
    if template_file is not None:
        # The sandbox below is the guarantee; this names the problem plainly.
        document.init_docx()
        env = _jinja_env()
        try:
            reached = set().union(
                *(_internals(env.parse(src)) for src in _template_sources(document))
            )
        except jinja2.TemplateSyntaxError as error:
            raise LayoutRefused(
                f"The active document layout cannot be used: it has a broken tag "
                f"({error.message}). Hub staff: upload a corrected layout or "
                "deactivate this one under “Document layouts”."
            ) from error
        if reached:
            raise LayoutRefused(
                "The active document layout cannot be used: it reaches into the "
                "server’s internals, so nothing was rendered. Hub staff: upload a "
                "corrected layout or deactivate this one under “Document layouts”."
            )
    try:
        document.render(context_for(mou), jinja_env=_jinja_env(), autoescape=True)
    except jinja2.exceptions.SecurityError as error:
        raise LayoutRefused(
            "The active document layout cannot be used: it reaches into the "
            "server’s internals, so nothing was rendered. Hub staff: upload a "
            "corrected layout or deactivate this one under “Document layouts”."
        ) from error
    except jinja2.TemplateError as error:
        raise LayoutRefused(
            f"The active document layout cannot be used ({error}). Hub staff: "
            "upload a corrected layout or deactivate this one under “Document "
            "layouts”."
        ) from error
    _set_properties(document.docx, mou)
    if mou.executed_at:
        composer = Composer(document.docx)
        composer.append(Document(io.BytesIO(certificate_docx(mou, appended=True))))
        document = composer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_properties(docx, mou) -> None:
    """The file's own properties come from the workspace, whatever the layout
    says: readers and PDF metadata show them."""
    lead = mou.partnership.participations.filter(role="lead").first()
    properties = docx.core_properties
    properties.title = f"{mou.title} (version {mou.version})"
    properties.subject = f"Memorandum of understanding of {mou.partnership.name}"
    properties.author = lead.organisation.name if lead else mou.partnership.name
    properties.last_modified_by = properties.author
    properties.keywords = f"MOU; {mou.get_state_display()}"
    properties.comments = (
        f"SHA-256 of the text: {mou.frozen_hash or mou.content_hash()}"
    )
    properties.created = mou.created_at
    properties.modified = mou.updated_at
    properties.revision = mou.version


# Lifecycle steps as the certificate names them.
STEP_WORDS = {
    "create": "Created",
    "edit": "Text edited",
    "add_section": "Section added",
    "remove_section": "Section removed",
    "submit_for_review": "Submitted for review",
    "request_changes": "Sent back for changes",
    "open_signing": "Opened for signing (text frozen)",
    "sign": "Signed",
    "withdraw": "Withdrawn from signing",
    "execute": "Executed",
    "amend": "Amendment started",
    "supersede": "Superseded",
    "terminate": "Terminated",
    "expire": "Expired",
}


def local_zone(partnership) -> datetime.tzinfo:
    """The partnership's own time zone: signatures and steps are dated in it."""
    try:
        return zoneinfo.ZoneInfo(partnership.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def signed_when(moment: datetime.datetime, zone) -> str:
    """A signature's date and time on the signature line: 05 January 2026,
    21:04 EST."""
    local = moment.astimezone(zone)
    return f"{local:%d %B %Y, %H:%M} {local:%Z}"


def _when(moment: datetime.datetime, zone) -> str:
    local = moment.astimezone(zone)
    return f"{local:%d %B %Y, %H:%M:%S} {local:%Z} (UTC{local:%z})"


def certificate_docx(mou, *, appended: bool = False) -> bytes:
    """The certificate of completion of an executed MOU: every signature (who,
    for whom, when, from which network address), every step of its life, and
    the SHA-256 of the signed text. Built in code, so no layout can drop it."""
    zone = local_zone(mou.partnership)
    document = Document()
    document.styles["Normal"].font.name = "Liberation Sans"
    document.styles["Normal"].font.size = Pt(10)
    heading = document.add_heading("Certificate of completion", level=1)
    # Appended to the agreement, it starts on a page of its own.
    heading.paragraph_format.page_break_before = appended
    document.add_paragraph(
        f"{mou.title}, version {mou.version}, of {mou.partnership.name}. "
        f"Executed {_when(mou.executed_at, zone)}."
    )
    document.add_paragraph(f"SHA-256 of the signed text: {mou.frozen_hash}")

    document.add_heading("Signatures", level=2)
    signatures = list(
        mou.signatures.filter(round=mou.signing_round, voided_at__isnull=True)
        .select_related("organisation")
        .order_by("signed_at", "pk")
    )
    # One paragraph per entry (not a table): long names and addresses stay
    # on one line where a reader, or pdftotext, expects them.
    for s in signatures:
        document.add_paragraph(
            f"{s.full_name}, {s.title}, for {s.organisation.name}: signed "
            f"{_when(s.signed_at, zone)} from network address "
            f"{s.ip_address or 'not recorded'}, on text "
            f"{short_fingerprint(s.content_hash)}.",
            style="List Bullet",
        )
    document.add_heading("History", level=2)
    for event in mou.events.select_related("user").order_by("created_at", "pk"):
        if event.action not in STEP_WORDS:
            continue
        who = (
            (event.user.get_full_name() or event.user.username)
            if event.user
            else "the workspace"
        )
        detail = f" for {event.data['organisation']}" if event.action == "sign" else ""
        document.add_paragraph(
            f"{_when(event.created_at, zone)}: {STEP_WORDS[event.action]}{detail}, "
            f"by {who}.",
            style="List Bullet",
        )
    document.add_paragraph(
        "Each signature was given on the text whose SHA-256 is shown above; "
        "the workspace refuses a signature on any other text."
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_pdf(mou, template_file=None) -> bytes:
    """The MOU as PDF (LibreOffice), certificate included once executed. The
    PDF of an agreement executed on the text it shows is sealed by the
    workspace, so any later change to the file is detected."""
    data = docx_to_pdf(render_docx(mou, template_file))
    if mou.executed_at and mou.signatures_match():
        from .seal import seal_pdf

        return seal_pdf(
            data,
            fingerprint=mou.frozen_hash,
            location=mou.partnership.name,
            created=mou.created_at,
        )
    # LibreOffice dates the file now; the agreement was created earlier.
    return pdf.dated(data, created=mou.created_at)


def certificate_pdf(mou) -> bytes:
    return docx_to_pdf(certificate_docx(mou))


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, *, timeout: int = 120) -> bytes:
    binary = soffice()
    if not binary:
        raise PDFUnavailable(
            "PDF export needs LibreOffice on the server (Debian package "
            "libreoffice-writer-nogui). Download the .docx instead."
        )
    return pdf.convert(binary, docx, timeout=timeout)
