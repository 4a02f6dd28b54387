"""Word to PDF through LibreOffice, kept running.

Starting LibreOffice costs about two seconds (far more on a busy machine);
converting an agreement in a running one costs a fraction of a second. So the
first conversion in a process starts a private LibreOffice listener (unoserver,
run by a Python that has LibreOffice's `uno` module) in the background and
converts the way it always did, one LibreOffice per file; once the listener
answers, later conversions go through it. The listener stops when the process
that started it ends, even if that process is killed.

MOU_PDF_SERVER ("host:port") points at a unoserver run elsewhere instead;
MOU_PDF_LISTENER = False keeps the one-LibreOffice-per-file conversion only.
Anything wrong with the listener falls back to that, so a PDF is never lost to
it. Bytes in, bytes out; no HTTP here."""

from __future__ import annotations

import atexit
import datetime
import importlib.metadata
import io
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

UNO_PYTHON = "/usr/bin/python3"
API_VERSION = "3"  # unoserver's XML-RPC interface that this module speaks
START_TIMEOUT = 60  # seconds to wait for a listener before giving up on it
CONVERT_TIMEOUT = 60
RETRY_AFTER = 60  # seconds before a listener that failed is tried again

# Runs in the listener's Python: unoserver, and a watch that stops it (and so
# LibreOffice) once the web process that started it is gone.
LISTENER = """
import os, signal, sys, threading, time
parent = int(sys.argv[1])
def watch():
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)
threading.Thread(target=watch, daemon=True).start()
from unoserver.server import main
sys.argv = ["unoserver", *sys.argv[2:]]
sys.exit(main())
"""


class _Timeout(xmlrpc.client.Transport):
    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def _proxy(address: str, timeout: float) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(
        f"http://{address}", allow_none=True, transport=_Timeout(timeout)
    )


class Listener:
    """One LibreOffice listener owned by this process."""

    def __init__(self, soffice: str):
        self.owner = os.getpid()
        self.folder = Path(tempfile.mkdtemp(prefix="mou-pdf-"))
        self.address = f"127.0.0.1:{_free_port()}"
        self.ready = threading.Event()
        self.failed = False
        self.failed_at = 0.0
        self.lock = threading.Lock()
        self.process = self._spawn(soffice)
        atexit.register(self.stop)
        threading.Thread(target=self._wait_until_ready, daemon=True).start()

    def _spawn(self, soffice: str) -> subprocess.Popen | None:
        python = getattr(settings, "MOU_UNO_PYTHON", "") or UNO_PYTHON
        package = _package_path()
        if not (package and Path(python).exists()):
            self.failed, self.failed_at = True, time.monotonic()
            return None
        # Only unoserver goes on the listener's path, none of our packages.
        path = self.folder / "path"
        path.mkdir()
        for item in package:
            (path / item.name).symlink_to(item)
        port = self.address.rsplit(":", 1)[1]
        return subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                python,
                "-P",
                "-c",
                LISTENER,
                str(os.getpid()),
                "--interface",
                "127.0.0.1",
                "--port",
                port,
                "--uno-port",
                str(_free_port()),
                "--executable",
                soffice,
                "--conversion-timeout",
                str(CONVERT_TIMEOUT),
                "--quiet",
            ],
            cwd=self.folder,
            env={**os.environ, "PYTHONPATH": str(path)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not self.failed and time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                if _proxy(self.address, 5).info()["api"] == API_VERSION:
                    self.ready.set()
                    return
            except (OSError, xmlrpc.client.Error, KeyError):
                time.sleep(0.2)
        logger.warning("The LibreOffice listener did not start; converting per file.")
        self.fail()

    def convert(self, docx: bytes) -> bytes:
        with self.lock:
            result = _proxy(self.address, CONVERT_TIMEOUT + 5).convert(
                None, xmlrpc.client.Binary(docx), None, "pdf"
            )
        return result.data

    def fail(self) -> None:
        self.failed, self.failed_at = True, time.monotonic()
        self.stop()

    def stop(self) -> None:
        # A forked process inherits this object (and its exit hook): only the
        # process that started the listener stops it.
        if os.getpid() != self.owner:
            return
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _package_path() -> list[Path]:
    """unoserver's package folder and its metadata (the listener reads its own
    version from it)."""
    try:
        distribution = importlib.metadata.distribution("unoserver")
    except importlib.metadata.PackageNotFoundError:
        return []
    site = Path(distribution.locate_file(""))
    return [site / "unoserver", *site.glob("unoserver-*.dist-info")]


_listener: Listener | None = None
_guard = threading.Lock()


def listener(soffice: str) -> Listener | None:
    """This process's listener, started on first use; None while it starts,
    or when it cannot run here."""
    global _listener
    if not getattr(settings, "MOU_PDF_LISTENER", True):
        return None
    with _guard:
        current = _listener
        if (
            current is None
            or current.owner != os.getpid()  # a forked worker starts its own
            or (current.failed and time.monotonic() - current.failed_at > RETRY_AFTER)
        ):
            _listener = current = Listener(soffice)
    return current if current.ready.is_set() and not current.failed else None


def wait_for_listener(soffice: str, timeout: float = START_TIMEOUT) -> bool:
    """Start the listener and wait until it answers (benchmarks and tests that
    time conversions); False when it cannot run here."""
    listener(soffice)
    current = _listener
    return bool(current and current.ready.wait(timeout) and not current.failed)


def convert(soffice: str, docx: bytes, *, timeout: int = 120) -> bytes:
    """The PDF of a .docx: through the configured or the kept listener when
    it answers, otherwise by one LibreOffice run for this file."""
    server = getattr(settings, "MOU_PDF_SERVER", "") or os.environ.get(
        "MOU_PDF_SERVER", ""
    )
    try:
        if server:
            return (
                _proxy(server, timeout)
                .convert(None, xmlrpc.client.Binary(docx), None, "pdf")
                .data
            )
        kept = listener(soffice)
        if kept is not None:
            return kept.convert(docx)
    except (OSError, xmlrpc.client.Error) as error:
        logger.warning("LibreOffice listener failed (%s); converting per file.", error)
        if not server and _listener is not None:
            _listener.fail()
    return convert_once(soffice, docx, timeout=timeout)


def convert_once(soffice: str, docx: bytes, *, timeout: int = 120) -> bytes:
    """One LibreOffice run, in a profile of its own, for one file."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "mou.docx"
        source.write_bytes(docx)
        subprocess.run(  # noqa: S603 - fixed arguments, our own temporary file
            [
                soffice,
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


def dated(data: bytes, *, created: datetime.datetime) -> bytes:
    """The PDF with its creation date set to `created` (an incremental update;
    the modification date is now, when the file was made)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    writer.document_meta.created = created
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
