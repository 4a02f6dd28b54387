"""Timing pages over HTTP: service time at concurrency 1, throughput at 4 and 16."""

from __future__ import annotations

import http.client
import statistics
import threading
import time


def fetch(port: int, path: str, cookie: str, headers=None) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
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
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.getheader("ETag") or ""


def throughput(port, path, cookie, headers, total: int, concurrency: int) -> float:
    """Requests a second with `concurrency` clients sharing `total` requests."""
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
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return round(total / (time.perf_counter() - started), 1)


def measure(
    port: int,
    path: str,
    cookie: str,
    requests: int,
    headers=None,
    expect=200,
    concurrent: bool = True,
) -> dict:
    for _ in range(3):  # warm up both workers
        status, _ = fetch(port, path, cookie, headers)
    if status != expect:
        raise SystemExit(f"{path} answered {status}; the benchmark needs {expect}")
    timings = sorted(fetch(port, path, cookie, headers)[1] for _ in range(requests))
    result = {
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p99_ms": round(
            timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000, 1
        ),
        "requests": requests,
    }
    if concurrent:
        result["rps_c4"] = throughput(port, path, cookie, headers, requests, 4)
        result["rps_c16"] = throughput(port, path, cookie, headers, requests, 16)
    return result


def interleaved(runs: list[tuple], requests: int) -> list[dict]:
    """The same page on several servers (one per data scale), one request to
    each in turn, so a change in the machine's load falls on every scale alike.
    `runs` holds (port, path, cookie, headers, expected status)."""
    for port, path, cookie, headers, expect in runs:
        for _ in range(3):  # warm up both workers
            status, _ = fetch(port, path, cookie, headers)
        if status != expect:
            raise SystemExit(f"{path} answered {status}; the benchmark needs {expect}")
    timings: list[list[float]] = [[] for _ in runs]
    for _ in range(requests):
        for index, (port, path, cookie, headers, _expect) in enumerate(runs):
            timings[index].append(fetch(port, path, cookie, headers)[1])
    results = []
    for series in timings:
        series.sort()
        results.append(
            {
                "p50_ms": round(statistics.median(series) * 1000, 1),
                "p99_ms": round(
                    series[min(len(series) - 1, int(len(series) * 0.99))] * 1000, 1
                ),
                "requests": requests,
            }
        )
    return results
