"""A .docx summary of a logic model: the diagram, the elements by column, the
links and the indicators with their latest values. Model in, bytes out."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.shared import Cm

from . import selectors
from .models import Element, Indicator


def diagram_png(svg: str) -> bytes | None:
    """The SVG as PNG through LibreOffice, when it is installed."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "diagram.svg"
        source.write_text(svg, encoding="utf-8")
        try:
            subprocess.run(  # noqa: S603 - fixed arguments, our own temporary file
                [
                    binary,
                    "--headless",
                    f"-env:UserInstallation=file://{folder}/profile",
                    "--convert-to",
                    "png",
                    "--outdir",
                    folder,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        target = Path(folder) / "diagram.png"
        return target.read_bytes() if target.exists() else None


def summary_docx(model, *, with_image: bool = True) -> bytes:
    document = Document()
    document.add_heading(model.title, level=0)
    document.add_paragraph(
        f"{model.partnership.name} — logic model, {model.get_state_display().lower()}"
        + (f"; next review {model.next_review:%d %B %Y}" if model.next_review else "")
    )
    if model.problem_statement:
        document.add_heading("The problem", level=1)
        document.add_paragraph(model.problem_statement)
    svg = selectors.diagram_svg(model)
    image = diagram_png(svg) if with_image else None
    document.add_heading("The model", level=1)
    if image:
        document.add_picture(io.BytesIO(image), width=Cm(16))
    else:
        document.add_paragraph(
            "The diagram is available as SVG from the workspace (LibreOffice is "
            "needed on the server to include it here)."
        )
    elements = list(model.elements.prefetch_related("outgoing__target"))
    for kind, label in Element.Kind.choices:
        items = [e for e in elements if e.kind == kind]
        if not items:
            continue
        document.add_heading(label, level=2)
        for element in items:
            leads = ", ".join(link.target.text for link in element.outgoing.all())
            text = element.text + (f" → {leads}" if leads else "")
            document.add_paragraph(text, style="List Bullet")
    indicators = list(
        Indicator.objects.filter(element__model=model)
        .select_related("responsible", "element")
        .prefetch_related("targets", "measurements", "checkins")
    )
    if indicators:
        document.add_heading("Indicators", level=1)
        table = document.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells,
            ["Indicator", "Measures", "Baseline", "Latest", "Target", "Status"],
            strict=True,
        ):
            cell.text = text
        for indicator in indicators:
            measurements = list(indicator.measurements.all())
            targets = list(indicator.targets.all())
            checkins = list(indicator.checkins.all())
            row = table.add_row().cells
            row[0].text = f"{indicator.name} ({indicator.get_unit_display().lower()})"
            row[1].text = indicator.element.text
            row[2].text = (
                f"{indicator.baseline_value.normalize():f}"
                if indicator.baseline_value is not None
                else "pending"
            )
            latest = measurements[-1] if measurements else None
            row[3].text = (
                f"{latest.value.normalize():f} ({latest.period_end})" if latest else "—"
            )
            row[4].text = f"{targets[-1].value.normalize():f}" if targets else "—"
            row[5].text = checkins[0].get_status_display() if checkins else "—"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
