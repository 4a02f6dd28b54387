"""`make bench`: seed the large data set into its own database, serve it with
gunicorn on loopback, and time pages against a bare Django view.

Environment: BENCH_DATABASE_URL (default: SQLite in var/bench/), BENCH_REQUESTS
(requests per page at concurrency 1, default 60), BENCH_PORT (default 8765).
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PY = sys.executable


def env() -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}"
        ),
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "k" * 60),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(OUT / "static"),
        "LOG_LEVEL": "WARNING",
    }


def django(code: str, environment: dict) -> str:
    return subprocess.run(  # noqa: S603
        [PY, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def prepare(environment: dict) -> dict:
    manage = [PY, "manage.py"]
    print("Migrating the benchmark database…", flush=True)
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=environment, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    print("Seeding the large data set (first run only)…", flush=True)
    started = time.perf_counter()
    info = json.loads(
        django(
            "import json\nfrom bench import seed\nresult = seed.seed()\nseed.finish()\n"
            "from partnerships.models import Partnership\n"
            "result['partnership'] = Partnership.objects.order_by('pk').values_list("
            "'pk', flat=True)[250]\n"
            "from mou.models import MOU\n"
            "result['mou'] = MOU.objects.get(title='Large benchmark MOU').pk\n"
            "from meetings.models import AgendaItem, FeedToken\n"
            "from django.contrib.auth import get_user_model as gum\n"
            "result['meeting'] = AgendaItem.objects.order_by('pk').first().meeting_id\n"
            "result['feed'] = FeedToken.issue(user=gum().objects.get("
            "username=seed.BENCH_USER))\n"
            "from logicmodels.models import LogicModel\n"
            "result['logic_model'] = LogicModel.objects.get("
            "title='Large benchmark logic model').pk\n"
            "result['first'] = Partnership.objects.order_by('pk').first().pk\n"
            "result['member'] = seed.session_cookie(seed.BENCH_USER)\n"
            "result['hub'] = seed.session_cookie('bench-hub')\n"
            "from django.contrib.auth import get_user_model\n"
            "from mou.models import MOU\n"
            "from referrals.models import Referral\n"
            "from partnerships.models import LearningEntry, Organisation, "
            "Responsibility\n"
            "result['counts'] = {'organisations': Organisation.objects.count(), "
            "'partnerships': Partnership.objects.count(), "
            "'users': get_user_model().objects.count(), "
            "'responsibilities': Responsibility.objects.count(), "
            "'learning entries': LearningEntry.objects.count(), "
            "'MOUs': MOU.objects.count(), "
            "'referrals': Referral.objects.count()}\n"
            "print(json.dumps(result))",
            environment,
        ).splitlines()[-1]
    )
    info["seconds"] = round(time.perf_counter() - started, 1)
    return info


def fetch(port: int, path: str, cookie: str, headers=None) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = cookie
    connection.request("GET", path, headers=sent)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, elapsed


def etag_of(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.getheader("ETag") or ""


def measure(
    port: int, path: str, cookie: str, requests: int, headers=None, expect=200
) -> dict:
    for _ in range(3):  # warm up both workers
        status, _ = fetch(port, path, cookie, headers)
    if status != expect:
        raise SystemExit(f"{path} answered {status}; the benchmark needs {expect}")
    timings = sorted(fetch(port, path, cookie, headers)[1] for _ in range(requests))
    # Throughput at concurrency 4 over a fixed number of requests.
    total = requests * 2
    lock = threading.Lock()
    remaining = [total]

    def worker():
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            fetch(port, path, cookie, headers)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p99_ms": round(
            timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000, 1
        ),
        "rps_c4": round(total / wall, 1),
        "requests": requests,
    }


def main() -> None:
    environment = env()
    info = prepare(environment)
    port = int(os.environ.get("BENCH_PORT", "8765"))
    requests = int(os.environ.get("BENCH_REQUESTS", "60"))
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
    )
    try:
        for _ in range(100):
            try:
                fetch(port, "/healthz/", "")
                break
            except OSError:
                time.sleep(0.1)
        pk = info["partnership"]
        pages = {
            "bare Django view (/healthz/)": ("/healthz/", ""),
            "partnership list (500 visible)": ("/admin/partnerships/", info["member"]),
            "partnership list, page 10": ("/admin/partnerships/?p=10", info["member"]),
            "partnership overview": (f"/admin/partnerships/{pk}/", info["member"]),
            "partners and people": (
                f"/admin/partnerships/{pk}/partners/",
                info["member"],
            ),
            "dashboard (home, with accountability)": ("/admin/", info["member"]),
            "leadership dashboard (500 partnerships)": (
                "/admin/accountability/dashboard/",
                info["member"],
            ),
            "responsibilities of one partnership": (
                f"/admin/accountability/partnership/{pk}/responsibilities/",
                info["member"],
            ),
            "my organisation's responsibilities": (
                "/admin/accountability/mine/",
                info["member"],
            ),
            "MOU page (40 sections, 300 clauses)": (
                f"/admin/mou/{info['mou']}/",
                info["member"],
            ),
            "MOU .docx export (large MOU)": (
                f"/admin/mou/{info['mou']}/export.docx",
                info["member"],
            ),
            "personal feed (50 series, 2 years)": (f"/calendar/{info['feed']}.ics", ""),
            "meeting page (30 agenda items)": (
                f"/admin/meetings/{info['meeting']}/",
                info["member"],
            ),
            "logic model page (200 elements, 400 links)": (
                f"/admin/logic-models/{info['logic_model']}/",
                info["member"],
            ),
            "logic model diagram (SVG)": (
                f"/admin/logic-models/{info['logic_model']}/diagram.svg",
                info["member"],
            ),
            "referral metrics (20,000 referrals)": (
                f"/admin/partnerships/{info['first']}/referrals/metrics/",
                info["member"],
            ),
            "Wagtail's own listing (organisations)": (
                "/admin/organisations/",
                info["hub"],
            ),
        }
        results = {}
        for label, (path, cookie) in pages.items():
            results[label] = {"path": path, **measure(port, path, cookie, requests)}
            print(f"  measured {label}", flush=True)
        feed = f"/calendar/{info['feed']}.ics"
        results["personal feed, unchanged (304)"] = {
            "path": feed,
            **measure(
                port, feed, "", requests, {"If-None-Match": etag_of(port, feed)}, 304
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)

    bare = results["bare Django view (/healthz/)"]["p50_ms"]
    wagtail = results["Wagtail's own listing (organisations)"]["p50_ms"]
    for row in results.values():
        row["x_bare"] = round(row["p50_ms"] / bare, 1) if bare else None
        row["x_wagtail_listing"] = (
            round(row["p50_ms"] / wagtail, 2) if wagtail else None
        )
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database": environment["DATABASE_URL"].split(":", 1)[0],
        "data": info["counts"],
        "seed_seconds": info["seconds"],
        "server": "gunicorn, 2 sync workers, loopback",
        "results": results,
    }
    (OUT / "latest.json").write_text(json.dumps(report, indent=2))
    print()
    print(f"Data: {info['counts']} on {report['database']}")
    header = (
        f"{'page':42} {'p50 ms':>8} {'p99 ms':>8} {'req/s c4':>9} {'x bare':>7} "
        f"{'x wagtail':>9}"
    )
    print(header)
    print("-" * len(header))
    for label, row in results.items():
        print(
            f"{label:42} {row['p50_ms']:8.1f} {row['p99_ms']:8.1f} {row['rps_c4']:9.1f}"
            f" {row['x_bare']:7.1f} {row['x_wagtail_listing']:9.2f}"
        )
    print(f"\nWritten to {OUT / 'latest.json'}")


if __name__ == "__main__":
    main()
