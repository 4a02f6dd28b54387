"""`make bench`: seed the large data set (and one tenth of it) into their own
databases, serve each with gunicorn on loopback, time pages against a bare
Django view and Wagtail's own listing, count each page's queries, and fail
(exit 1) when a target of issue 16 is missed, printing which.

Environment: BENCH_DATABASE_URL (default: SQLite in var/bench/; the 0.1 scale
uses the same name with `_0_1` added), BENCH_SCALES (default "1,0.1"; the
first is the full set), BENCH_REQUESTS (requests per page and concurrency,
default 60), BENCH_PORT (default: a free port).
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
from bench.measure import etag_of, fetch, measure

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


def run_scale(scale: str, full: bool, port: int, requests: int) -> dict:
    environment = env(scale)
    info = prepare(environment)
    table = pages(info)
    feed_path = table[targets.FEED][0]
    log = (OUT / "gunicorn.log").open("a")
    server = serve(environment, port, log)
    results = {}
    try:
        for label, (path, cookie, headers) in table.items():
            export = label == targets.DOCX_HTTP
            results[label] = {
                "path": path,
                **measure(
                    port,
                    path,
                    cookie,
                    5 if export else requests,
                    headers,
                    concurrent=full and not export,
                ),
            }
            print(f"  measured {label}", flush=True)
        etag = {"If-None-Match": etag_of(port, feed_path)}
        table[targets.FEED_304] = (feed_path, "", etag)
        results[targets.FEED_304] = {
            "path": feed_path,
            **measure(port, feed_path, "", requests, etag, 304, concurrent=full),
        }
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    print("  counting queries…", flush=True)
    for label, count in inside(environment, "queries", json.dumps(table)).items():
        results[label]["queries"] = count
    report = {
        "scale": float(scale),
        "data": info["counts"],
        "seed_seconds": info["seconds"],
        "results": targets.with_ratios(results),
    }
    if full:
        print("  timing the large MOU's exports…", flush=True)
        report["exports"] = inside(environment, "exports", str(info["mou"]))
    return report


def main() -> None:
    port = int(os.environ.get("BENCH_PORT") or free_port())
    requests = int(os.environ.get("BENCH_REQUESTS", "60"))
    scales = os.environ.get("BENCH_SCALES", "1,0.1").split(",")
    database = "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite"
    runs = {
        scale: run_scale(scale, index == 0, port, requests)
        for index, scale in enumerate(scales)
    }
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
