"""Running two people's requests at the same moment, for the tests that prove a
row lock (PostgreSQL only: SQLite serialises writers anyway)."""

import threading

from django.db import connections


def run_together(*jobs):
    """Start the jobs at the same moment, each on its own connection; return
    each job's result or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def runner(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
