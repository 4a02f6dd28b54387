# ruff: noqa: S603, S607, S608
"""The fault test: `make serve`'s topology (bin/serve, honcho, the Procfile) with
two web processes and two workers against a PostgreSQL cluster of its own, under
a steady load of reads and writes, through a PostgreSQL restart and a worker
killed with SIGKILL and the SMTP server stopped and started again: every message
arrives exactly once. PostgreSQL only (it copies the test database into the new
cluster); about a minute."""

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from glob import glob
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from .helpers import ROOT, clean_env, production_values, write_env_file

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the topology runs on PostgreSQL"
    ),
    pytest.mark.skipif(
        not glob("/usr/lib/postgresql/*/bin/initdb"), reason="needs PostgreSQL's initdb"
    ),
    pytest.mark.django_db(transaction=True),
]
HOST = "partners.example.org"
TASKS = "django_tasks_database_dbtaskresult"
OUTBOX = "notifications_outgoingmail"


def free_port(count: int = 1) -> int:
    """A port with `count` free ports from it."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count < 65000 and all(
            _free(base + offset) for offset in range(count)
        ):
            return base
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Cluster:
    """A throwaway PostgreSQL cluster on a spare port."""

    def __init__(self):
        self.bin = Path(sorted(glob("/usr/lib/postgresql/*/bin"))[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="ops-pg-"))
        self.port = free_port()
        self.as_postgres = (
            ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        )
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self.run(
            "initdb",
            "-D",
            str(self.dir / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
        )

    def run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / program), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def pg_ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off"
        )
        self.run(
            "pg_ctl",
            "-D",
            str(self.dir / "data"),
            "-o",
            options,
            "-w",
            "-l",
            str(self.dir / "log"),
            *args,
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/partners"

    def remove(self) -> None:
        try:
            self.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    cluster = Cluster()
    cluster.pg_ctl("start")
    try:
        # The test database, migrated, becomes the cluster's database.
        settings = connection.settings_dict
        source = (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
        subprocess.run(
            [
                "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                "partners",
            ],
            check=True,
        )
        dump = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--dbname", source],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["pg_restore", "--no-owner", "--dbname", cluster.url],
            input=dump.stdout,
            check=True,
        )
        yield cluster
    finally:
        cluster.remove()


class Inbox:
    def __init__(self):
        self.subjects = []
        self.message_ids = {}  # subject -> the Message-IDs it arrived with

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.5)  # a slow relay: workers are caught mid-send
        match = re.search(rb"^Subject: (.*)$", envelope.content, re.M)
        subject = match.group(1).decode().strip()
        message_id = re.search(rb"^Message-ID: (.*)$", envelope.content, re.M | re.I)
        self.subjects.append(subject)
        self.message_ids.setdefault(subject, set()).add(
            message_id.group(1).decode().strip()
        )
        return "250 OK"


class SMTPServer:
    """aiosmtpd on a fixed port, which the test stops and starts again."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url():
    if not shutil.which("redis-server"):
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait()


def request(port, method, path, *, body=None, headers=None, timeout=10):
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace"), response
    finally:
        conn.close()


def ready(port) -> tuple[int, str]:
    try:
        status, text, _ = request(
            port, "GET", "/readyz/", headers={"Host": "10.0.0.9"}, timeout=3
        )
    except OSError as error:
        return 0, str(error)
    return status, text


def failed_login(port: int, username: str) -> bool:
    """One read (the login page) and one write (axes records the failure);
    True when the site confirmed it."""
    proxy = {"Host": HOST, "X-Forwarded-Proto": "https"}
    status, text, response = request(port, "GET", "/admin/login/", headers=proxy)
    if status != 200:
        return False
    cookie = response.getheader("Set-Cookie", "")
    token = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
    status, text, _ = request(
        port,
        "POST",
        "/admin/login/",
        body=urlencode(
            {
                "csrfmiddlewaretoken": form_token,
                "username": username,
                "password": "wrong",
            }
        ),
        headers={
            **proxy,
            "Cookie": f"csrftoken={token}",
            "Referer": f"https://{HOST}/admin/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return status == 200


def home_page(port: int) -> bool:
    """One read: the public home page, looked up in the database."""
    status, _, _ = request(
        port, "GET", "/", headers={"Host": HOST, "X-Forwarded-Proto": "https"}
    )
    return status < 500


class Load(threading.Thread):
    """Reads and writes against both web processes until stopped: each round is
    a recorded failed login (a read and a write) and four home-page reads."""

    def __init__(self, ports, name):
        super().__init__(daemon=True)
        self.ports = ports
        self.name_prefix = name
        self.results = []  # (finished at, confirmed, username) per write
        self.requests = []  # (finished at, answered) per request
        self.stopped = threading.Event()

    def record(self, call) -> bool:
        try:
            ok = call()
        except (OSError, AttributeError):
            ok = False
        self.requests.append((time.monotonic(), ok))
        return ok

    def run(self):
        n = 0
        while not self.stopped.is_set():
            n += 1
            port = self.ports[n % 2]
            username = f"load-{self.name_prefix}-{n}-{uuid.uuid4().hex[:6]}"
            confirmed = self.record(lambda: failed_login(port, username))  # noqa: B023
            self.results.append((time.monotonic(), confirmed, username))
            for _ in range(4):
                self.record(lambda: home_page(port))  # noqa: B023


def enqueue_mail(url: str, subject: str) -> None:
    """What `send_email` does on commit: an outbox row, and a task to send it."""
    with psycopg.connect(url, autocommit=True) as db, db.transaction():
        (mail_id,) = db.execute(
            f"INSERT INTO {OUTBOX} (recipient, kind, event, key, subject, body,"
            " html, reply_to, link, status, attempts, last_error, created_at,"
            " next_attempt_at) VALUES ('x@example.org', 'directory',"
            " 'directory-stale', %s, %s, 'b', '', '[]', '', 'queued', 0, '',"
            " now(), now()) RETURNING id",
            (f"fault:{subject}", subject),
        ).fetchone()
        args = {"args": [], "kwargs": {"mail_id": mail_id}}
        db.execute(
            f"INSERT INTO {TASKS} (id, status, enqueued_at,"
            " args_kwargs, priority, task_path, worker_ids, queue_name, backend_name,"
            " run_after, return_value, exception_class_path, traceback) VALUES"
            " (%s, 'READY', now(), %s, 0, 'notifications.tasks.send_outgoing', '[]',"
            " 'default', 'default', '9999-01-01', NULL, '', '')",
            (uuid.uuid4(), psycopg.types.json.Jsonb(args)),
        )


def query(url: str, sql: str, *params):
    with psycopg.connect(url, autocommit=True) as db:
        return db.execute(sql, params).fetchall()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def test_the_topology_survives_a_database_restart_a_killed_worker_and_smtp_down(
    cluster, smtp_server, redis_url, tmp_path
):
    inbox = smtp_server.inbox
    web_port = free_port(2)
    values = production_values(
        tmp_path,
        DATABASE_URL=cluster.url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        ALLOWED_HOSTS=HOST,
        BASE_URL=f"https://{HOST}",
        PORT=str(web_port),
        WEB_PROCESSES="2",
        WEB_CONCURRENCY="2",
        WORKERS="2",
        TICK_INTERVAL="5",
        WORKER_HEARTBEAT_SECONDS="0.5",
        WORKER_DEAD_AFTER="3",
        DB_POOL_MAX="2",
        LOGIN_MAX_FAILURES="1000",
        # A refused message is tried again after 1 s, then at most every 2 s.
        OUTBOX_RETRY_BASE="1",
        OUTBOX_RETRY_MAX="2",
        # A message whose worker was killed mid-send goes out again after 5 s.
        OUTBOX_SENDING_TIMEOUT="5",
    )
    if redis_url:
        values["REDIS_URL"] = redis_url
    env_file = write_env_file(tmp_path / "env", **values)
    serve = subprocess.Popen(
        ["bin/serve"],
        cwd=ROOT,
        env=clean_env(ENV_FILE=str(env_file)),
        stdout=open(tmp_path / "serve.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    ports = (web_port, web_port + 1)
    loads = [Load(ports, str(n)) for n in range(3)]
    try:
        wait_for(
            lambda: all(ready(p)[0] == 200 for p in ports),
            90,
            "both web processes ready",
        )
        # A plain-HTTP probe by IP address, with HTTPS enforced for everyone else.
        assert (
            request(ports[0], "GET", "/admin/login/", headers={"Host": HOST})[0] == 301
        )
        for load in loads:
            load.start()
        for i in range(10):
            enqueue_mail(cluster.url, f"before-{i}")
        time.sleep(2)

        # PostgreSQL restarts under load.
        cluster.pg_ctl("restart", "-m", "fast")
        restarted = time.monotonic()
        recovered = wait_for(
            lambda: all(ready(p)[0] == 200 for p in ports),
            15,
            "readiness after the restart",
        )
        assert recovered - restarted < 5

        # A worker dies mid-send.
        for i in range(10):
            enqueue_mail(cluster.url, f"after-{i}")

        def busy_worker():
            rows = query(
                cluster.url,
                f"SELECT h.pid FROM cms_workerheartbeat h JOIN {TASKS} t"
                " ON t.worker_ids->>-1 = h.worker_id WHERE t.status = 'RUNNING'",
            )
            return rows[0][0] if rows else None

        victim = []
        wait_for(
            lambda: victim.append(busy_worker()) or victim[-1], 20, "a busy worker"
        )
        os.kill(victim[-1], signal.SIGKILL)

        expected = {f"before-{i}" for i in range(10)} | {
            f"after-{i}" for i in range(10)
        }
        wait_for(lambda: expected <= set(inbox.subjects), 30, "every queued message")

        # The SMTP server goes away for a while; mail queued meanwhile waits in
        # the outbox, refused and retried, and leaves once the server is back.
        smtp_server.stop()
        for i in range(10):
            enqueue_mail(cluster.url, f"outage-{i}")
        wait_for(
            lambda: (
                query(
                    cluster.url,
                    f"SELECT count(*) FROM {OUTBOX} WHERE attempts > 0"
                    " AND status = 'queued' AND subject LIKE 'outage-%%'",
                )[0][0]
                == 10
            ),
            20,
            "every message refused while SMTP is down",
        )
        smtp_server.start()
        smtp_back = time.monotonic()
        expected |= {f"outage-{i}" for i in range(10)}
        delivered = wait_for(
            lambda: expected <= set(inbox.subjects), 20, "mail after SMTP is back"
        )
        assert delivered - smtp_back < 5
        wait_for(
            lambda: (
                not query(
                    cluster.url,
                    f"SELECT 1 FROM {TASKS} WHERE status IN ('READY', 'RUNNING')",
                )
            ),
            10,
            "an empty queue",
        )
        # A bounded load: at least 600 requests in all, then stop.
        wait_for(
            lambda: sum(len(load.requests) for load in loads) >= 600,
            120,
            "600 requests",
        )
        for load in loads:
            load.stopped.set()
        for load in loads:
            load.join(15)

        # Every write the site confirmed is there.
        results = [row for load in loads for row in load.results]
        confirmed = {name for _, ok, name in results if ok}
        recorded = {
            name
            for (name,) in query(cluster.url, "SELECT username FROM axes_accessattempt")
        }
        assert confirmed and confirmed <= recorded
        requests = [row for load in loads for row in load.requests]
        failures = [t for t, ok in requests if not ok]
        total = len(requests)
        print(
            f"{total} requests, {len(failures)} failed, "
            f"{len(inbox.subjects)} messages for {len(expected)} queued"
        )
        assert not [t for t in failures if t > recovered]
        assert len(failures) / total < 0.01
        # Every queued message arrived exactly once, and the outbox says sent.
        print(
            query(
                cluster.url,
                "SELECT id, subject, status, attempts, last_error, next_attempt_at,"
                f" now() FROM {OUTBOX} WHERE status <> 'sent'",
            )
        )
        # Exactly once as a reader sees it: every message arrived, each under
        # one Message-ID. SMTP cannot do better when a worker is killed after
        # the relay took the message and before its "250" came back: the
        # message is sent again under the same Message-ID, which mail servers
        # and readers treat as the same message; that happens at most once
        # per killed worker.
        arrived = Counter(inbox.subjects)
        assert set(arrived) == set(expected)
        assert all(len(inbox.message_ids[s]) == 1 for s in expected)
        assert sum(arrived.values()) - len(expected) <= 1
        assert query(
            cluster.url, f"SELECT status, count(*) FROM {OUTBOX} GROUP BY 1"
        ) == [("sent", 30)]
        statuses = query(cluster.url, f"SELECT DISTINCT status FROM {TASKS}")
        assert statuses == [("SUCCESSFUL",)]
        # The killed worker was started again: two live heartbeats.
        wait_for(
            lambda: (
                query(
                    cluster.url,
                    "SELECT count(*) FROM cms_workerheartbeat"
                    " WHERE seen_at > now() - interval '3 seconds'",
                )[0][0]
                == 2
            ),
            15,
            "the killed worker to be replaced",
        )
    finally:
        for load in loads:
            load.stopped.set()
        # As an operator stops it: honcho passes SIGTERM to each process.
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        print((tmp_path / "serve.log").read_text()[-3000:])
