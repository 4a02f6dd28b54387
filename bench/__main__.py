"""`make bench`: seed the large data set (and one tenth of it) into their own
databases, serve each with gunicorn on loopback, time pages against a bare
Django view and Wagtail's own listing, count each page's queries, and fail
(exit 1) when a target of issue 16 is missed, printing which.

Environment: BENCH_DATABASE_URL (default: SQLite in var/bench/; the 0.1 scale
uses the same name with `_0_1` added), BENCH_SCALES (default "1,0.1"; the
first is the full set), BENCH_REQUESTS (requests per page and concurrency,
default 60), each scale served on a free port.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench import targets
from bench.measure import etag_of, fetch, interleaved, throughput

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PY = sys.executable


def database_url(scale: str) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    suffix = "" if float(scale) == 1 else "_" + scale.replace(".", "_")
    if not url:
        return f"sqlite:///{OUT / f'bench{suffix}.sqlite3'}"
    if suffix:
        base, name = url.rsplit("/", 1)
        url = f"{base}/{name}{suffix}"
    _create_postgres_database(url)
    return url


def _create_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/template1", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def env(scale: str) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "BENCH_SCALE": scale,
        "DATABASE_URL": database_url(scale),
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "k" * 60),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(OUT / "static"),
        "LOG_LEVEL": "WARNING",
    }


def inside(environment: dict, command: str, argument: str = "") -> dict:
    """Run bench.inproc.main(command, argument) inside Django; its JSON answer."""
    code = (
        "import django, sys; django.setup()\n"
        "from bench import inproc\n"
        "inproc.main(sys.argv[1], sys.argv[2])\n"
    )
    done = subprocess.run(  # noqa: S603
        [PY, "-c", code, command, argument],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench.inproc {command} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(environment: dict) -> dict:
    manage = [PY, "manage.py"]
    print(f"Scale {environment['BENCH_SCALE']}: migrating…", flush=True)
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=environment, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    print("Seeding what is missing (slow the first time)…", flush=True)
    return inside(environment, "prepare")


def pages(info: dict) -> dict:
    """label → (path, cookie, headers)."""
    member, hub = info["member"], info["hub"]
    pk, mou = info["partnership"], info["mou"]
    return {
        targets.BARE: ("/healthz/", "", {}),
        "partnership list (all visible)": ("/admin/partnerships/", member, {}),
        "partnership list, page 2": ("/admin/partnerships/?p=2", member, {}),
        "partnership overview": (f"/admin/partnerships/{pk}/", member, {}),
        "partners and people": (f"/admin/partnerships/{pk}/partners/", member, {}),
        "home dashboard": ("/admin/", member, {}),
        "leadership dashboard": ("/admin/accountability/dashboard/", member, {}),
        "responsibilities of one partnership": (
            f"/admin/accountability/partnership/{pk}/responsibilities/",
            member,
            {},
        ),
        "my organisation's responsibilities": (
            "/admin/accountability/mine/",
            member,
            {},
        ),
        targets.MOU_PAGE: (f"/admin/mou/{mou}/", member, {}),
        targets.DOCX_HTTP: (f"/admin/mou/{mou}/export.docx", member, {}),
        targets.FEED: (f"/calendar/{info['feed']}.ics", "", {}),
        "meeting page (30 agenda items)": (
            f"/admin/meetings/{info['meeting']}/",
            member,
            {},
        ),
        "logic model page (200 elements, 400 links)": (
            f"/admin/logic-models/{info['logic_model']}/",
            member,
            {},
        ),
        "logic model diagram (SVG)": (
            f"/admin/logic-models/{info['logic_model']}/diagram.svg",
            member,
            {},
        ),
        "referral metrics (one partnership)": (
            f"/admin/referrals/partnership/{info['first']}/metrics/",
            member,
            {},
        ),
        "HSDS API, 50 services": ("/api/hsds/v3/services?per_page=50", "", {}),
        **(
            {
                "read API, partnership list": (
                    "/api/v1/partnerships",
                    "",
                    {"Authorization": f"Bearer {info['api_key']}"},
                )
            }
            if info.get("api_key")
            else {}
        ),
        targets.LISTING: ("/admin/organisations/", hub, {}),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(environment: dict, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(PY).parent / "gunicorn"),
            "cms.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(200):
        try:
            fetch(port, "/healthz/", "")
            return server
        except OSError:
            time.sleep(0.1)
    return server


def run(scales: list[str], requests: int) -> dict:
    """Every page on every scale, interleaved; throughput at the full scale."""
    prepared = []
    for scale in scales:
        environment = env(scale)
        info = prepare(environment)
        prepared.append((scale, environment, info, pages(info)))
    log = (OUT / "gunicorn.log").open("a")
    servers = []
    results: dict[str, dict] = {scale: {} for scale in scales}
    try:
        ports = []
        for _scale, environment, _info, _table in prepared:
            ports.append(free_port())
            servers.append(serve(environment, ports[-1], log))
        for index, (_scale, _environment, _info, table) in enumerate(prepared):
            feed_path = table[targets.FEED][0]
            etag = {"If-None-Match": etag_of(ports[index], feed_path)}
            table[targets.FEED_304] = (feed_path, "", etag)
        for label in prepared[0][3]:
            export = label == targets.DOCX_HTTP
            expect = 304 if label == targets.FEED_304 else 200
            runs = [
                (ports[i], *table[label], expect)
                for i, (_s, _e, _i, table) in enumerate(prepared)
            ]
            measured = interleaved(runs, 5 if export else requests)
            for (scale, _e, _i, table), row in zip(prepared, measured, strict=True):
                results[scale][label] = {"path": table[label][0], **row}
            if not export:
                port, path, cookie, headers, _expect = runs[0]
                for concurrency in (4, 16):
                    results[scales[0]][label][f"rps_c{concurrency}"] = throughput(
                        port, path, cookie, headers, requests, concurrency
                    )
            print(f"  measured {label}", flush=True)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        log.close()
    reports = {}
    for index, (scale, environment, info, table) in enumerate(prepared):
        print(f"  counting queries at scale {scale}…", flush=True)
        for label, count in inside(environment, "queries", json.dumps(table)).items():
            results[scale][label]["queries"] = count
        report = {
            "scale": float(scale),
            "data": info["counts"],
            "seed_seconds": info["seconds"],
            "results": targets.with_ratios(results[scale]),
        }
        if index == 0:
            print("  timing the large MOU's exports…", flush=True)
            report["exports"] = inside(environment, "exports", str(info["mou"]))
        reports[scale] = report
    return reports


def main() -> None:
    requests = int(os.environ.get("BENCH_REQUESTS", "60"))
    scales = os.environ.get("BENCH_SCALES", "1,0.1").split(",")
    database = "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite"
    runs = run(scales, requests)
    full, small = runs[scales[0]], runs[scales[-1]]
    growth = targets.growth(full["results"], small["results"])
    missed = targets.missed(full, growth if len(scales) > 1 else {})
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database": database,
        "server": "gunicorn, 2 sync workers, loopback",
        "load_average": os.getloadavg(),
        "scales": runs,
        "growth": growth,
        "missed": missed,
    }
    latest = OUT / "latest.json"
    try:
        everything = json.loads(latest.read_text())
        if "scales" in everything:  # written before both databases were kept
            everything = {}
    except (OSError, ValueError):
        everything = {}
    everything[database] = report
    latest.write_text(json.dumps(everything, indent=2))
    print(targets.table(report))
    print(f"\nWritten to {latest} (under “{database}”)")
    if missed:
        print("\nTargets missed (issue 16):")
        for line in missed:
            print(f"  - {line}")
        raise SystemExit(1)
    print("\nEvery target met.")


if __name__ == "__main__":
    main()
