import datetime

import pytest
from playwright.sync_api import expect

from accountability import services as accountability_services

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_partner_reports_progress_the_coordinator_and_leader_see_it(
    cast, page, live_server, login
):
    responsibility = accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Train front-desk staff on warm referrals",
        owner=cast.riverside,
        due_date=datetime.date.today() - datetime.timedelta(days=4),
    )
    url = f"{live_server.url}{responsibility.get_absolute_url()}"

    login("partner")
    page.goto(url)
    page.select_option("select[name=status]", "blocked")
    page.fill("textarea[name=note]", "Waiting for the trainer's dates.")
    page.get_by_role("button", name="Record update").click()
    expect(page.get_by_text("Update recorded.")).to_be_visible()

    login("coordinator")
    page.goto(url)
    log = page.locator("[data-update-log]")
    expect(log).to_contain_text("Not started → Blocked")
    expect(log).to_contain_text("Waiting for the trainer's dates.")
    page.get_by_role("navigation", name="Partnership sections").get_by_role(
        "link", name="Responsibilities"
    ).click()
    row = page.locator("[data-matrix] tr").filter(has_text="Riverside Health Clinic")
    # Not started, In progress, Done, Blocked, At risk, Overdue, Total
    expect(row.locator("td")).to_have_text(
        ["Riverside Health Clinic", "0", "0", "0", "1", "0", "1", "1"]
    )

    login("leader")
    page.get_by_role("link", name="Leadership dashboard").first.click()
    chart = page.locator("[data-chart=overdue] svg")
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_have_text(
        "Overdue responsibilities by organisation"
    )
    expect(page.locator("[data-figure=overdue]")).to_contain_text(
        "Riverside Health Clinic"
    )
