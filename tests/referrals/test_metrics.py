import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import metrics
from referrals import services as referral_services
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_a_small_piece_hides_the_smallest_others_of_its_block_until_safe():
    pieces = {"A": 40, "B": 25, "C": 4, "D": 0, "E": 12}
    # C (4) alone would be the total minus the rest: E (12) goes with it.
    assert metrics._hidden_pieces(pieces) == {"C", "E"}
    # Two small ones that together make 1–10 still need a complement.
    assert metrics._hidden_pieces({"A": 3, "B": 4, "C": 30, "D": 50}) == {
        "A",
        "B",
        "C",
    }
    assert metrics._hidden_pieces({"A": 5, "B": 6, "C": 30}) == {"A", "B"}
    assert metrics._hidden_pieces({"A": 11, "B": 0}) == set()
    # Nothing else to hide: everything is hidden.
    assert metrics._hidden_pieces({"A": 3, "B": 0}) == {"A"}


def test_whole_months_cover_the_dates_asked_for():
    d = datetime.date
    assert metrics.month_period(d(2026, 9, 27), d(2026, 9, 27)) == (
        d(2026, 9, 1),
        d(2026, 9, 30),
    )
    assert metrics.month_period(d(2026, 12, 5), d(2026, 2, 1)) == (
        d(2026, 2, 1),
        d(2026, 12, 31),
    )


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
    assert result.made.value == 12 and not result.made.hidden
    # 6, 3, 6 and 4 are counts from 1 to 10: hidden, and so are their rates.
    assert result.accepted.hidden and result.rejected.hidden
    assert result.completed.hidden and result.closed_loop.hidden
    assert result.accepted.value == 6 and result.closed_loop.value == 4
    assert result.rate("closed_loop").hidden
    # days to acknowledge for the 9 acknowledged: n%4+1 for n in 0..5, 9..11
    # → 1,2,3,4,1,2,2,3,4 → sorted 1,1,2,2,2,3,3,4,4: median 2, p90 4
    rows = Referral.objects.all()
    assert metrics._percentile(rows, "seconds_to_acknowledge", 0.5) == 2.0
    assert metrics._percentile(rows, "seconds_to_acknowledge", 0.9) == 4.0
    # 9 acknowledged: too few to show a median or percentile.
    assert result.days["acknowledge"]["median"].hidden
    # Within 2 working days = 4 calendar days: all 9.
    assert result.acknowledged_in_time.value == 9
    assert result.satisfaction.hidden  # 4 ratings
    cells, _ = metrics.breakdown(Referral.objects.all(), "race_ethnicity")
    by = {row["group"]: row for row in cells}
    assert by["Black or African American"]["made"].value == 11
    assert by["White"]["made"].hidden
    assert by["Black or African American"]["made"].hidden  # complementary


def test_no_page_or_csv_shows_a_suppressed_count(cast, client_for):

    referral_services.protocol_save(
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
    page = client.get(reverse("referrals:metrics", args=[cast.eastside.pk]))
    breakdown = page.text.split("Primary language", 1)[1].split("</table>", 1)[0]
    assert ">7<" not in breakdown and ">30<" not in breakdown
    assert "—" in breakdown
    csv = client.get(
        reverse("referrals:metrics", args=[cast.eastside.pk]), {"format": "csv"}
    ).content.decode("utf-8-sig")
    language_rows = [line for line in csv.splitlines() if "Primary language" in line]
    assert all(",7," not in line and ",30," not in line for line in language_rows)
