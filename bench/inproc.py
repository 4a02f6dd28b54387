"""What the benchmark learns inside Django (run by `python -c` in the benchmark's
environment): the seeded ids and sessions, each page's query count, and the
export times of the large MOU."""

from __future__ import annotations

import json
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import seed


def prepare() -> dict:
    from accountability.models import LearningEntry, Responsibility
    from directory.models import DirectoryService
    from logicmodels.models import LogicModel
    from meetings.models import AgendaItem, FeedToken
    from mou.models import MOU, Comment
    from partnerships.models import Organisation, Partnership
    from referrals.models import Referral

    started = time.perf_counter()
    seed.seed()
    seed.finish()
    User = get_user_model()
    partnerships = Partnership.objects.order_by("pk")
    large = MOU.objects.get(title="Large benchmark MOU")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "scale": seed.SCALE,
        "partnership": partnerships.values_list("pk", flat=True)[
            partnerships.count() // 2
        ],
        "first": partnerships.first().pk,
        "mou": large.pk,
        "meeting": AgendaItem.objects.order_by("pk").first().meeting_id,
        "feed": FeedToken.issue(user=User.objects.get(username=seed.BENCH_USER)),
        "logic_model": LogicModel.objects.get(title="Large benchmark logic model").pk,
        "member": seed.session_cookie(seed.BENCH_USER),
        "api_key": _api_key(),
        "hub": seed.session_cookie("bench-hub"),
        "counts": {
            "organisations": Organisation.objects.count(),
            "partnerships": partnerships.count(),
            "users": User.objects.count(),
            "responsibilities": Responsibility.objects.count(),
            "learning entries": LearningEntry.objects.count(),
            "MOUs": MOU.objects.count(),
            "comments on the large MOU": Comment.objects.filter(mou=large).count(),
            "services": DirectoryService.objects.count(),
            "referrals": Referral.objects.count(),
            "referrals in the metrics partnership": Referral.objects.filter(
                partnership_id=partnerships.first().pk
            ).count(),
        },
    }


def _api_key() -> str:
    """A read-only API token of the benchmark person's organisation (the read
    API, issue 17), or "" while that API is not installed."""
    try:
        from api import services as api_services
    except ImportError:
        return ""
    member = get_user_model().objects.get(username=seed.BENCH_USER)
    hub = get_user_model().objects.get(username="bench-hub")
    _token, key = api_services.token_create(
        organisation=member.memberships.first().organisation,
        by=hub,
        name="Benchmark",
        scope="read",
    )
    return key


def matcher_ms(runs: int = 20) -> float | None:
    """Median milliseconds for the screener's matcher to rank the directory's
    services for one screen (issue 17), or None without the screener."""
    try:
        from screener import matching
        from screener.questionnaire import Needs
    except ImportError:
        return None
    needs = Needs(
        domains=["food", "housing"],
        categories={"food", "housing", "family"},
        zip_code="02119",
        age=34,
        income=20000,
        language="Spanish",
    )
    matching.match(needs)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        matching.match(needs)
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings) * 1000, 1)


def query_counts(pages: dict) -> dict:
    """Queries each page issues once warm (the second of two requests)."""
    counts = {}
    for label, (path, cookie, headers) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if cookie:
            name, value = cookie.split("=", 1)
            client.cookies[name] = value
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        client.get(path, **extra)
        with CaptureQueriesContext(connection) as queries:
            client.get(path, **extra)
        counts[label] = len(queries.captured_queries)
    return counts


def export_times(mou_pk: int, runs: int = 3) -> dict:
    """Seconds to render the large MOU as .docx, and as a sealed PDF, with the
    export functions the MOU page uses (mou.documents, mou.seal)."""
    from mou import documents, seal
    from mou.models import MOU

    # The benchmark has no production certificate: seal with the development one.
    settings.MOU_SEAL_REQUIRED = False
    mou = MOU.objects.get(pk=mou_pk)
    docx = []
    for _ in range(runs):
        started = time.perf_counter()
        documents.render_docx(mou)
        docx.append(time.perf_counter() - started)
    sealed = []
    for _ in range(max(1, runs - 1)):
        started = time.perf_counter()
        pdf = documents.docx_to_pdf(documents.render_docx(mou))
        seal.seal_pdf(pdf, fingerprint=mou.content_hash(), location="Bench")
        sealed.append(time.perf_counter() - started)
    return {
        "docx_s": round(statistics.median(docx), 2),
        "sealed_pdf_s": round(statistics.median(sealed), 2),
        "screener_match_ms": matcher_ms(),
    }


def main(command: str, argument: str = "") -> None:
    if command == "prepare":
        result = prepare()
    elif command == "queries":
        result = query_counts(json.loads(argument))
    else:
        result = export_times(int(argument))
    print(json.dumps(result))
