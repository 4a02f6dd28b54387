import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accountability import dashboard
from accountability import services as accountability_services
from accountability.models import HealthCheckRound, Practice, Responsibility

from ..factories import ParticipationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2027, 3, 10)


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def fixture(cast):
    def make(title, owner, due, status=None, cadence="", partnership=None):
        partnership = partnership or cast.eastside
        r = accountability_services.responsibility_create(
            partnership=partnership,
            by=cast.hub,
            title=title,
            owner=owner,
            due_date=due,
            cadence=cadence,
        )
        if status:
            accountability_services.responsibility_report(
                responsibility=r, by=cast.hub, status=status
            )
        return r

    make("A", cast.riverside, days(-10))
    make("B", cast.riverside, days(-1), "in_progress")
    make("C", cast.northside, days(-5), "done")
    make("D", cast.northside, days(0))
    make("E", cast.housing_org, days(-100))
    make("F", cast.housing_org, days(-30), "done", cadence="yearly")
    make("G", cast.lakeshore_org, days(-3), partnership=cast.lakeshore)

    for index, score in enumerate([2, 3]):
        health_round = accountability_services.health_round_open(
            partnership=cast.eastside,
            by=cast.coordinator,
            title=f"Round {index}",
            closes_on=timezone.localdate(),
        )
        for user, org in [
            (cast.partner, cast.riverside),
            (cast.signatory, cast.riverside),
            (cast.coordinator, cast.northside),
        ]:
            accountability_services.health_response_submit(
                health_round=health_round,
                by=user,
                organisation=org,
                ratings=dict.fromkeys(Practice.values, (score, "")),
            )
        accountability_services.health_round_close(
            health_round=health_round, by=cast.coordinator
        )
        HealthCheckRound.objects.filter(pk=health_round.pk).update(
            opened_at=timezone.now() - datetime.timedelta(days=200 - 100 * index)
        )
    return cast


def test_overdue_by_organisation_matches_the_hand_count(fixture):
    figure = dashboard.overdue_by_organisation(fixture.leader, TODAY)
    assert figure.rows == [
        ["Riverside Health Clinic", 2],
        ["Eastside Housing Coalition", 1],
    ]
    # The housing coalition also sees Lakeshore's overdue item.
    housing = dashboard.overdue_by_organisation(fixture.housing, TODAY)
    assert ["Lakeshore Youth Center", 1] in housing.rows


def test_completion_counts_what_fell_due_in_the_last_90_days(fixture):
    figure = dashboard.completion(fixture.leader, TODAY)
    # Done: C (day -5) and F's occurrence (day -30); open: A and B. E is older.
    assert figure.rows == [["Eastside Family Support Partnership", 2, 4, 50.0]]
    assert figure.summary.startswith("50.0%")


def test_health_scores_show_latest_previous_and_change(fixture):
    figure = dashboard.health_scores(fixture.leader)
    assert figure.rows == [["Eastside Family Support Partnership", 3.0, 2.0, 1.0]]


def test_what_needs_attention_lists_overdue_and_open_rounds(fixture):
    attention = dashboard.needs_attention(fixture.leader, TODAY)
    assert [r.title for r in attention.overdue] == ["E", "A", "B"]
    assert not attention.health_rounds


def test_an_outsider_sees_no_eastside_figure(fixture, client_for):
    assert dashboard.overdue_by_organisation(fixture.outsider, TODAY).rows == [
        ["Lakeshore Youth Center", 1]
    ]
    assert dashboard.health_scores(fixture.outsider).rows == []
    page = client_for(fixture.outsider).get(reverse("accountability:dashboard"))
    assert "Riverside" not in page.text
    assert "Eastside Family Support" not in page.text


def test_the_dashboard_page_draws_charts_beside_tables(fixture, client_for):
    page = client_for(fixture.leader).get(reverse("accountability:dashboard"))
    for key in ["overdue", "completion", "health"]:
        assert f'data-chart="{key}"><svg' in page.text.replace("\n", "")
    assert "<title>Overdue responsibilities by organisation</title>" in page.text
    assert 'data-figure="health"' in page.text  # the table beside the chart


@pytest.mark.parametrize("figure", ["overdue", "completion", "health"])
def test_each_figure_downloads_as_csv_and_xlsx(fixture, client_for, figure):
    client = client_for(fixture.leader)
    expected = dashboard.FIGURES[figure](fixture.leader)
    response = client.get(
        reverse("accountability:dashboard_export", args=[figure, "csv"])
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == expected.headers
    assert len(rows) == len(expected.rows) + 1
    response = client.get(
        reverse("accountability:dashboard_export", args=[figure, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == expected.headers
    assert [list(v) for v in values[1:]] == expected.rows


def test_csv_cells_cannot_smuggle_formulas(cast, client_for):
    accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.hub,
        title="x",
        owner=cast.riverside,
        due_date=datetime.date(2020, 1, 1),
    )
    cast.riverside.name = "=HYPERLINK(1)"
    cast.riverside.save()
    response = client_for(cast.leader).get(
        reverse("accountability:dashboard_export", args=["overdue", "csv"])
    )
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_the_dashboard_costs_the_same_queries_on_a_large_data_set(
    cast, client_for, django_assert_max_num_queries
):
    partnerships = [PartnershipFactory() for _ in range(40)]
    for partnership in partnerships:
        ParticipationFactory(partnership=partnership, organisation=cast.housing_org)
    Responsibility.objects.bulk_create(
        Responsibility(
            partnership=partnerships[i % 40],
            title=f"Job {i}",
            owner=cast.housing_org,
            due_date=timezone.localdate() + datetime.timedelta(days=(i % 200) - 150),
            status=["not_started", "done", "at_risk"][i % 3],
        )
        for i in range(2000)
    )
    client = client_for(cast.housing)
    # Every capability's panel and the next steps together; constant in the
    # data size (each app's next steps read a few rows, sliced; 48 since
    # invitations, MOU reviews, mentions, measurements due, silent invitees and
    # the needs-picture menu ask once each).
    with django_assert_max_num_queries(48):
        home = client.get(reverse("wagtailadmin_home"))
    assert "Shared accountability" in home.text
    with django_assert_max_num_queries(30):
        client.get(reverse("accountability:dashboard"))
