"""How long an MOU takes to export, for `make bench` (issue 14's targets: the
large benchmark MOU's .docx within 1.5 s, its sealed PDF within 5 s)."""

from __future__ import annotations

import statistics
import time

from . import documents, pdf, seal
from .models import DocumentTemplate


def sealed_pdf(mou, layout=None) -> bytes:
    """The PDF as an executed agreement is served: rendered, converted and
    sealed. An MOU not (or no longer validly) executed is sealed over its
    current text, so the cost is the same whatever state the benchmark's MOU
    is in; such a file is not an agreement and the verify page says no."""
    data = documents.docx_to_pdf(documents.render_docx(mou, layout))
    return seal.seal_pdf(
        data,
        fingerprint=mou.frozen_hash or mou.content_hash(),
        location=mou.partnership.name,
        created=mou.created_at,
    )


def export_timings(mou, *, runs: int = 5) -> dict:
    """Seconds per .docx and per sealed PDF of `mou` (in the active layout),
    after one untimed export of each that starts LibreOffice and loads the
    signing libraries, as a running web process has done long before."""
    template = DocumentTemplate.active()
    layout = template.file if template else None
    binary = documents.soffice()
    kept = bool(binary) and pdf.wait_for_listener(binary)
    documents.render_docx(mou, layout)
    sealed_pdf(mou, layout)
    result: dict = {"runs": runs, "libreoffice_kept_running": kept}
    for name, export in (
        ("docx", lambda: documents.render_docx(mou, layout)),
        ("sealed_pdf", lambda: sealed_pdf(mou, layout)),
    ):
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            export()
            seconds.append(time.perf_counter() - started)
        result[name] = {
            "median_s": round(statistics.median(seconds), 3),
            "min_s": round(min(seconds), 3),
            "max_s": round(max(seconds), 3),
        }
    return result
