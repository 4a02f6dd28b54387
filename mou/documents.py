"""MOU documents: .docx through docxtpl (autoescaped, strict about unknown
variables) and PDF through LibreOffice where it is installed.

Layouts are uploaded by hub staff, so their Jinja tags are code written by
someone other than us: they render only in Jinja's sandbox, and the upload
check refuses a layout that reaches for Python internals.

Model instances in, bytes out; no HTTP here."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import jinja2
import jinja2.meta
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Pt, RGBColor
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

# Everything a template may use. An uploaded template naming anything else is
# refused, so a typo cannot silently print an empty gap into an agreement.
TEMPLATE_VARIABLES = {
    "title",
    "version",
    "partnership",
    "purpose",
    "state",
    "is_executed",
    "draft_notice",
    "effective_date",
    "end_date",
    "parties",
    "sections",
    "signatures",
    "content_hash",
    "hash_matches",
    "generated_on",
}


# What a layout is tried with on upload: one of everything, shaped like
# context_for() below.
SAMPLE_CONTEXT = {
    "title": "Sample partnership MOU",
    "version": 1,
    "partnership": "Sample partnership",
    "purpose": "Families get joined-up help.",
    "state": "Executed",
    "is_executed": True,
    "draft_notice": "",
    "effective_date": "1 January 2026",
    "end_date": "31 December 2027",
    "parties": [{"name": "Sample Family Services", "role": "Lead partner"}],
    "sections": [
        {
            "number": 1,
            "heading": "Purpose",
            "clauses": [
                {
                    "number": 1,
                    "text": "The partners refer families to each other.",
                    "responsible": "Sample Family Services",
                    "due": "due 1 March 2026",
                }
            ],
        }
    ],
    "signatures": [
        {
            "organisation": "Sample Family Services",
            "name": "Sam Sample",
            "title": "Director",
            "date": "1 January 2026",
            "hash": "0123456789abcdef…",
        }
    ],
    "content_hash": "0" * 64,
    "hash_matches": True,
    "generated_on": "1 January 2026",
}

# docxtpl renders these core properties of the document as templates too.
RENDERED_PROPERTIES = (
    "author",
    "comments",
    "identifier",
    "language",
    "subject",
    "title",
)
FOOTNOTES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
)
INTERNALS_MESSAGE = (
    "The layout reaches into the server’s internals ({names}); layouts may only "
    "print the variables the workspace provides. Remove those tags and upload "
    "the layout again."
)


class PDFUnavailable(Exception):
    """LibreOffice is not installed on this server."""


class LayoutRefused(Exception):
    """A stored layout cannot be rendered safely or at all; the message says why
    and what hub staff should do."""


def _jinja_env() -> SandboxedEnvironment:
    """Every layout, the shipped one included, renders in the sandbox: no
    attribute starting with an underscore, no unsafe methods."""
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


@lru_cache(maxsize=1)
def default_template_bytes() -> bytes:
    """The layout shipped with the product, built in code so it stays in step
    with TEMPLATE_VARIABLES."""
    document = Document()
    styles = document.styles
    styles["Normal"].font.name = "Liberation Sans"
    styles["Normal"].font.size = Pt(11)

    notice = document.add_paragraph()
    notice.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = notice.add_run("{% if draft_notice %}{{ draft_notice }}{% endif %}")
    run.bold = True
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)

    document.add_heading("{{ title }}", level=0)
    document.add_paragraph("Memorandum of understanding — version {{ version }}")
    document.add_paragraph("{{ partnership }}")
    document.add_paragraph(
        "Effective {{ effective_date }}"
        "{% if end_date %} until {{ end_date }}{% endif %}"
    )
    document.add_heading("Parties", level=1)
    document.add_paragraph("{%p for party in parties %}")
    document.add_paragraph("{{ party.name }} — {{ party.role }}", style="List Bullet")
    document.add_paragraph("{%p endfor %}")

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

    document.add_heading("Signatures", level=1)
    table = document.add_table(rows=3, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ["Organisation", "Name", "Title", "Date", "Content hash"],
        strict=True,
    ):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for signature in signatures %}"
    for cell, text in zip(
        table.rows[2].cells,
        [
            "{{ signature.organisation }}",
            "{{ signature.name }}",
            "{{ signature.title }}",
            "{{ signature.date }}",
            "{{ signature.hash }}",
        ],
        strict=True,
    ):
        cell.text = text
    table.add_row().cells[0].text = "{%tr endfor %}"
    document.add_paragraph(
        "SHA-256 of the signed text: {{ content_hash }}"
        "{% if not hash_matches %} — WARNING: the text has changed since it was "
        "signed; these signatures do not cover it.{% endif %}"
    )
    document.add_paragraph("Generated on {{ generated_on }}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _template_sources(template: DocxTemplate) -> list[str]:
    """Every piece of the document that docxtpl renders as a Jinja template:
    the body, headers, footers, footnotes and core properties."""
    docx = template.docx
    sources = [template.patch_xml(template.get_xml())]
    for relationship in docx.part.rels.values():
        if relationship.reltype in (RT.HEADER, RT.FOOTER):
            sources.append(
                template.patch_xml(relationship.target_part.blob.decode("utf-8"))
            )
    for part in docx.part.package.parts:
        if part.content_type == FOOTNOTES:
            blob = part.blob
            sources.append(
                template.patch_xml(
                    blob.decode("utf-8") if isinstance(blob, bytes) else blob
                )
            )
    for name in RENDERED_PROPERTIES:
        sources.append(getattr(docx.core_properties, name) or "")
    return sources


def _internals(tree: nodes.Template) -> set[str]:
    """Names of attributes and items the template reaches that start with an
    underscore, or that it fetches with the `attr` filter."""
    found = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            found.add(node.attr)
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and node.arg.value.startswith("_")
        ):
            found.add(node.arg.value)
        elif isinstance(node, nodes.Filter) and node.name == "attr":
            found.add("|attr")
    return found


def lint_template(file) -> list[str]:
    """Problems with an uploaded template, each phrased so hub staff can fix it."""
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".docx"):
        return ["Upload a Word document (.docx)."]
    env = _jinja_env()
    try:
        file.seek(0)
        template = DocxTemplate(io.BytesIO(file.read()))
        template.init_docx()
        trees = [env.parse(source) for source in _template_sources(template)]
    except jinja2.TemplateSyntaxError as error:
        return [
            f"The template has a broken tag: {error.message} (line {error.lineno})."
        ]
    except Exception:  # a zip that is not a Word document, or a damaged one
        return ["This file is not a readable Word document (.docx)."]
    finally:
        file.seek(0)
    internals = set().union(*(_internals(tree) for tree in trees))
    if internals:
        return [
            INTERNALS_MESSAGE.format(
                names=", ".join(f"“{name}”" for name in sorted(internals))
            )
        ]
    unknown = set().union(
        *(jinja2.meta.find_undeclared_variables(tree) for tree in trees)
    ) - set(TEMPLATE_VARIABLES)
    if unknown:
        return [
            "The template uses variables the workspace does not provide: "
            + ", ".join(sorted(unknown))
            + ". Available: "
            + ", ".join(sorted(TEMPLATE_VARIABLES))
            + "."
        ]
    return _trial_render(file)


def _trial_render(file) -> list[str]:
    """Render the layout in the sandbox with sample figures: names built at run
    time (`title[name]`) escape the reading above but not the sandbox."""
    try:
        file.seek(0)
        DocxTemplate(io.BytesIO(file.read())).render(
            SAMPLE_CONTEXT, jinja_env=_jinja_env(), autoescape=True
        )
    except jinja2.exceptions.SecurityError:
        return [INTERNALS_MESSAGE.format(names="attributes named at run time")]
    except jinja2.TemplateError as error:
        return [
            f"The template cannot be filled in: {error}. Use only the variables "
            "listed: " + ", ".join(sorted(TEMPLATE_VARIABLES)) + "."
        ]
    finally:
        file.seek(0)
    return []


def context_for(mou) -> dict:
    from django.utils import timezone

    sections = mou.sections.prefetch_related("clauses__responsible")
    roles = dict(
        mou.partnership.participations.values_list("organisation__name", "role")
    )
    signatures = mou.current_signatures().select_related("organisation")
    executed = mou.state == mou.State.EXECUTED
    hash_matches = mou.signatures_match() if mou.frozen_hash else True
    return {
        "title": mou.title,
        "version": mou.version,
        "partnership": mou.partnership.name,
        "purpose": mou.partnership.purpose,
        "state": mou.get_state_display(),
        "is_executed": executed,
        "draft_notice": ""
        if executed and hash_matches
        else (
            "SIGNATURES DO NOT MATCH THIS TEXT"
            if not hash_matches
            else f"DRAFT – not signed ({mou.get_state_display()})"
        ),
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
                "date": s.signed_on.strftime("%d %B %Y"),
                "hash": s.content_hash[:16] + "…",
            }
            for s in signatures
        ],
        "content_hash": mou.frozen_hash or mou.content_hash(),
        "hash_matches": hash_matches,
        "generated_on": timezone.localdate().strftime("%d %B %Y"),
    }


def render_docx(mou, template_file=None) -> bytes:
    """The MOU as a Word document, in the active uploaded layout or the default."""
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
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, *, timeout: int = 120) -> bytes:
    binary = soffice()
    if not binary:
        raise PDFUnavailable(
            "PDF export needs LibreOffice on the server (Debian package "
            "libreoffice-writer-nogui). Download the .docx instead."
        )
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "mou.docx"
        source.write_bytes(docx)
        subprocess.run(  # noqa: S603 - fixed arguments, our own temporary file
            [
                binary,
                "--headless",
                f"-env:UserInstallation=file://{folder}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        return (Path(folder) / "mou.pdf").read_bytes()
