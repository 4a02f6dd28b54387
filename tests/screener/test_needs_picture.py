"""The community-needs picture: anonymous counts, shown only when every cell
they add up is 0 or at least 11, so neither a small count nor the difference
between adjacent periods or areas gives anyone away."""

import csv
import datetime
import io
import itertools
import zipfile
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from screener import picture
from screener.models import NeedCount

pytestmark = pytest.mark.django_db
JAN, FEB, MAR, APR = (datetime.date(2026, m, 1) for m in (1, 2, 3, 4))
AREAS = ["010", "011", "012"]
# Housing screens by month and area; 4 (March, 011) and 7 (April, 012) are small.
HOUSING = {
    (JAN, "010"): 20,
    (JAN, "011"): 15,
    (FEB, "010"): 12,
    (FEB, "011"): 0,
    (MAR, "010"): 30,
    (MAR, "011"): 4,
    (APR, "010"): 11,
    (APR, "012"): 7,
}


@pytest.fixture
def counts(db):
    NeedCount.objects.bulk_create(
        NeedCount(domain="housing", area=area, month=month, screens=n)
        for (month, area), n in HOUSING.items()
    )
    NeedCount.objects.create(domain="food", area="010", month=JAN, screens=40)


def housing(user, months, areas=None):
    data = picture.picture(user=user, months=months, areas=areas)
    return next(row["needs"] for row in data["domains"] if row["key"] == "housing")


def test_small_counts_are_hidden_and_safe_ones_shown(cast, counts):
    assert housing(cast.hub, [JAN, FEB]) == picture.Cell(47)
    # March's 4 in area 011 hides every total that includes it.
    assert housing(cast.hub, [JAN, FEB, MAR]).hidden
    assert housing(cast.hub, [MAR], ["010"]) == picture.Cell(30)
    data = picture.picture(user=cast.hub, months=[JAN])
    assert [str(r["needs"]) for r in data["areas"]] == ["60", "15"]


def test_adjacent_periods_and_areas_never_differ_by_one_to_ten(cast, counts):
    """Every whole-month period, every area set: a figure and the same figure
    one month or one area wider are both shown only when they differ by 0 or
    at least 11."""
    months = [JAN, FEB, MAR, APR]
    area_sets = [list(s) for n in range(1, 4) for s in itertools.combinations(AREAS, n)]
    checked = 0
    for start, end in itertools.combinations_with_replacement(range(4), 2):
        period = months[start : end + 1]
        wider = [
            months[max(start - 1, 0) : end + 1],
            months[start : min(end + 2, 4)],
        ]
        for areas in area_sets:
            figure = housing(cast.hub, period, areas)
            neighbours = [housing(cast.hub, p, areas) for p in wider] + [
                housing(cast.hub, period, sorted({*areas, extra}))
                for extra in AREAS
                if extra not in areas
            ]
            for other in neighbours:
                if figure.hidden or other.hidden:
                    continue
                checked += 1
                assert abs(other.value - figure.value) not in picture.SMALL, (
                    period,
                    areas,
                )
    assert checked > 20
    # Without the rule, the difference would show: Jan–Mar minus Jan–Feb in 011.
    assert housing(cast.hub, [JAN, FEB, MAR], ["011"]).hidden


def test_rows_never_let_a_hidden_cell_be_worked_out(cast, counts):
    data = picture.picture(user=cast.hub, months=[MAR])
    by_area = {row["area"]: row["needs"] for row in data["areas"]}
    # 011's March (4) is hidden; the month's total over all areas is too.
    assert by_area["011"].hidden
    month = next(r for r in data["months"] if r["month"] == MAR)
    assert month["needs"].hidden


def test_leadership_and_coordinators_read_it_others_do_not(cast, counts, client_for):
    url = reverse("screening:needs") + "?from=2026-01&until=2026-04"
    for who in (cast.leader, cast.coordinator, cast.hub):
        response = client_for(who).get(url)
        assert response.status_code == 200, who
        assert "Counts from 1 to 10 are hidden" in response.text
    # A member who coordinates nothing is refused (Wagtail redirects).
    assert client_for(cast.partner).get(url).status_code == 302


def test_bad_months_or_areas_get_a_clear_message(cast, counts, client_for):
    client = client_for(cast.leader)
    response = client.get(reverse("screening:needs"), {"from": "January"})
    assert response.status_code == 400
    assert "Months are written YYYY-MM" in response.text
    response = client.get(reverse("screening:needs"), {"areas": "01101"})
    assert "first three digits of ZIP codes" in response.text


def test_the_page_costs_a_bounded_number_of_queries(
    cast, counts, client_for, django_assert_max_num_queries
):
    client = client_for(cast.leader)
    NeedCount.objects.bulk_create(
        NeedCount(domain=d, area=f"{a:03d}", month=JAN, screens=12)
        for d in ("food", "health", "legal")
        for a in range(100, 160)
    )
    with django_assert_max_num_queries(30):
        client.get(reverse("screening:needs"), {"from": "2026-01", "until": "2026-04"})


def test_csv_and_xlsx_show_what_the_page_shows(cast, counts, client_for):
    client = client_for(cast.leader)
    query = {"from": "2026-01", "until": "2026-04"}
    raw = client.get(reverse("screening:needs_export", args=["csv"]), query)
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Table",
        "Row",
        "Needs signalled",
        "Services available",
        "Referrals made",
    ]
    by_row = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert by_row[("By need", "Housing")] == "—"
    assert by_row[("By need", "Food")] == "40"
    assert by_row[("By month", "2026-01")] == "75"
    assert by_row[("By month", "2026-03")] == "—"
    assert not any(
        cell.isdigit() and 1 <= int(cell) <= 10 for r in rows[1:] for cell in r[2:]
    )
    # The XLSX, read as the zip of XML it is (not with the library that wrote it).
    xlsx = client.get(reverse("screening:needs_export", args=["xlsx"]), query)
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314 (our own file)
    texts = [el.text for el in sheet.iter() if el.tag.rsplit("}", 1)[-1] in "tv"]
    assert "Housing" in texts and "—" in texts and "40" in texts
