"""Uploaded .docx layouts: what they may print, and the checks that keep them
safe. Hub staff upload layouts, so their Jinja tags are code written by someone
other than us: they render only in Jinja's sandbox, the upload check refuses a
layout that reaches for Python internals or names a variable the workspace
does not provide, and a trial render with sample figures catches the rest."""

from __future__ import annotations

import io

import jinja2
import jinja2.meta
from docx.opc.constants import RELATIONSHIP_TYPE as RT
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
    "state_mark",
    "fingerprint",
    "lead",
    "signature_lines",
    "has_signature_section",
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
    "state_mark": "DRAFT — not for signature",
    "fingerprint": "00000000 00000000",
    "lead": "Sample Family Services",
    "signature_lines": [
        {
            "organisation": "Sample Family Services",
            "name": "Sam Sample",
            "title": "Director",
            "date": "1 January 2026",
            "signed": True,
        }
    ],
    "has_signature_section": True,
}

# What the mark on every page says, by state. An executed MOU whose text still
# matches its signatures carries none.
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


PREVIEW_FIRST = (
    "Preview this layout with sample data first (“Preview” in the list of "
    "layouts): it can be made active once its preview renders cleanly."
)


class LayoutRefused(Exception):
    """A stored layout cannot be rendered safely or at all; the message says why
    and what hub staff should do."""


def _jinja_env() -> SandboxedEnvironment:
    """Every layout, the shipped one included, renders in the sandbox: no
    attribute starting with an underscore, no unsafe methods."""
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


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


def preview_docx(file) -> bytes:
    """The layout filled in with the sample figures, in the sandbox, as hub
    staff see it before making it active; LayoutRefused says what is wrong."""
    problems = lint_template(file)
    if problems:
        raise LayoutRefused(" ".join(problems))
    try:
        file.seek(0)
        document = DocxTemplate(io.BytesIO(file.read()))
        document.render(SAMPLE_CONTEXT, jinja_env=_jinja_env(), autoescape=True)
    except jinja2.TemplateError as error:  # lint_template tried the same
        raise LayoutRefused(f"The layout cannot be filled in: {error}.") from error
    finally:
        file.seek(0)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
