import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships import referral_metrics as metrics
from partnerships.models import Referral

pytestmark = pytest.mark.django_db


def test_suppression_hides_small_counts_and_their_complement():
    rows = [
        {"group": "A", "made": 40, "completed": 30, "closed": 20},
        {"group": "B", "made": 25, "completed": 12, "closed": 0},
        {"group": "C", "made": 4, "completed": 2, "closed": 0},
        {"group": "D", "made": 0, "completed": 0, "closed": 0},
    ]
    cells, notes = metrics.suppress(rows)
    by = {row["group"]: row for row in cells}
    assert by["C"]["made"].hidden and by["C"]["completed"].hidden
    # C alone would be total − A − B: the smallest other (B, 25) is hidden too.
    assert by["B"]["made"].hidden
    assert by["B"]["completed"].hidden  # 12 is the smallest other completed
    assert not by["A"]["made"].hidden and not by["D"]["made"].hidden  # zero shows
    assert by["B"]["completion_rate"].hidden and by["C"]["completion_rate"].hidden
    assert by["A"]["completion_rate"].value == 75.0
    assert "Counts from 1 to 10 are hidden" in notes[0]


def _referral(cast, n, **fields):
    now = timezone.now()
    referral = Referral(
        partnership=cast.eastside,
        sender=cast.northside,
        receiver=cast.riverside,
        local_reference=f"R{n}",
        initials="X",
        birth_year=1990,
        requested_at=now - datetime.timedelta(days=20),
        **fields,
    )
    referral.refresh_durations()  # bulk_create skips save()
    return referral


def test_summary_matches_a_hand_count(cast):
    now = timezone.now()
    requested = now - datetime.timedelta(days=20)
    rows = []
    for n in range(12):
        rows.append(
            _referral(
                cast,
                n,
                status="completed" if n < 6 else "requested" if n < 9 else "rejected",
                acknowledged_at=requested + datetime.timedelta(days=n % 4 + 1)
                if n < 6 or n >= 9
                else None,
                served_at=requested + datetime.timedelta(days=5) if n < 6 else None,
                loop_closed_at=requested + datetime.timedelta(days=10)
                if n < 4
                else None,
                satisfaction=4 if n < 4 else None,
                race_ethnicity="black" if n < 11 else "white",
            )
        )
    Referral.objects.bulk_create(rows)
    result = metrics.summary(Referral.objects.all(), acknowledge_days=2)
    assert result.made == 12
    assert result.accepted == 6 and result.rejected == 3 and result.completed == 6
    assert result.closed_loop == 4
    assert result.rate(result.closed_loop) == 33.3
    # days to acknowledge for the 9 acknowledged: n%4+1 for n in 0..5, 9..11
    # → 1,2,3,4,1,2,2,3,4 → sorted 1,1,2,2,2,3,3,4,4: median 2, p90 4
    assert result.days["acknowledge"] == {"median": 2.0, "p90": 4.0}
    # Within 2 working days = 4 calendar days: all 9.
    assert result.acknowledged_in_time == 9
    assert result.satisfaction == 4.0
    cells, _ = metrics.suppress(
        metrics.breakdown(Referral.objects.all(), "race_ethnicity")
    )
    by = {row["group"]: row for row in cells}
    assert by["Black or African American"]["made"].value == 11
    assert by["White"]["made"].hidden
    assert by["Black or African American"]["made"].hidden  # complementary


def test_no_page_or_csv_shows_a_suppressed_count(cast, client_for):
    from partnerships import services

    services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="c",
        steps="s",
        fields=[],
        collect_demographics=True,
        consent_required=False,
        acknowledge_days=2,
        outcome_days=30,
    )
    Referral.objects.bulk_create(
        [_referral(cast, n, language="Spanish") for n in range(7)]
        + [_referral(cast, 100 + n, language="English") for n in range(30)]
    )
    client = client_for(cast.coordinator)
    page = client.get(reverse("partnerships:metrics", args=[cast.eastside.pk]))
    breakdown = page.text.split("Primary language", 1)[1].split("</table>", 1)[0]
    assert ">7<" not in breakdown and ">30<" not in breakdown
    assert "—" in breakdown
    csv = client.get(
        reverse("partnerships:metrics", args=[cast.eastside.pk]), {"format": "csv"}
    ).content.decode("utf-8-sig")
    language_rows = [line for line in csv.splitlines() if "Primary language" in line]
    assert all(",7," not in line and ",30," not in line for line in language_rows)
