"""PDFs come from a LibreOffice kept running (issue 14: exporting stays fast),
and from one LibreOffice per file whenever that listener cannot answer. Each
PDF is read back with poppler."""

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document

from mou import documents, pdf

needs_listener = pytest.mark.skipif(
    not (
        documents.soffice()
        and shutil.which("pdftotext")
        and Path(pdf.UNO_PYTHON).exists()
        and subprocess.run(  # noqa: S603 - fixed arguments
            [pdf.UNO_PYTHON, "-c", "import uno"], capture_output=True
        ).returncode
        == 0
    )
    and os.environ.get("E2E_REQUIRED") != "1",
    reason="LibreOffice, python3-uno or poppler-utils is not installed",
)


def _docx(text: str) -> bytes:
    document = Document()
    for n in range(1, 4):
        document.add_paragraph(f"{text} {n}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(  # noqa: S603 - poppler with our own file
        [shutil.which("pdftotext"), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@needs_listener
def test_conversions_go_through_the_kept_libreoffice_and_are_fast(tmp_path):
    binary = documents.soffice()
    assert pdf.wait_for_listener(binary)
    kept = pdf.listener(binary)
    assert kept is not None and kept.process.poll() is None
    timings = []
    for n in range(3):
        started = time.perf_counter()
        data = pdf.convert(binary, _docx(f"Clause number {n}"))
        timings.append(time.perf_counter() - started)
        assert f"Clause number {n} 3" in _text(data, tmp_path)
    # One LibreOffice per file costs about two seconds here before it reads a
    # line; the kept one converts a short file well inside one.
    assert min(timings) < 1.0, timings
    assert pdf.listener(binary) is kept  # the same LibreOffice every time


@needs_listener
def test_without_a_listener_the_file_is_still_converted(settings, tmp_path):
    binary = documents.soffice()
    # Nothing listens there: the PDF is made per file instead, not lost.
    settings.MOU_PDF_SERVER = f"127.0.0.1:{pdf._free_port()}"
    data = pdf.convert(binary, _docx("Fallback"))
    assert "Fallback 2" in _text(data, tmp_path)
    settings.MOU_PDF_SERVER = ""
    settings.MOU_PDF_LISTENER = False
    assert pdf.listener(binary) is None
    assert "Fallback 3" in _text(pdf.convert(binary, _docx("Fallback")), tmp_path)


def _running(marker: str) -> list[int]:
    """Live (not zombie) processes whose command line contains `marker`."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker in command and state != "Z":
            found.append(int(proc.name))
    return found


@needs_listener
def test_the_listener_stops_when_its_process_ends():
    """No LibreOffice is left behind by a web process that exits or is killed."""
    code = (
        "import os, sys, time\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cms.settings.test')\n"
        "import django; django.setup()\n"
        "from mou import documents, pdf\n"
        "assert pdf.wait_for_listener(documents.soffice())\n"
        "args = pdf._listener.process.args\n"
        "print(args[args.index('--uno-port') + 1], flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # LibreOffice listens on this port: its command line says so.
        marker = f"port={int(child.stdout.readline())},"
        assert _running(marker), "LibreOffice runs while the process lives"
    finally:
        child.kill()  # no exit hooks run: the listener must notice by itself
        child.wait()
    deadline = time.monotonic() + 20
    while _running(marker):
        if time.monotonic() > deadline:
            for pid in _running(marker):  # leave nothing behind, then fail
                os.kill(pid, signal.SIGKILL)
            pytest.fail("LibreOffice outlived the process that started it")
        time.sleep(0.2)
