import pytest
from playwright.sync_api import expect

from partnerships.models import Invitation

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_coordinator_starts_a_partnership_and_an_outsider_never_sees_it(
    cast, page, live_server, login
):
    login("coordinator")
    page.get_by_role("link", name="Partnerships").first.click()
    page.get_by_role("link", name="New partnership").click()
    page.select_option("select[name=lead]", label="Northside Family Services")
    page.fill("input[name=name]", "Westside Food Partnership")
    page.fill("textarea[name=purpose]", "No family on the west side goes hungry.")
    page.fill("input[name=start_date]", "2027-01-01")
    page.fill("input[name=end_date]", "2028-12-31")
    page.get_by_role("button", name="Create partnership").click()
    expect(
        page.get_by_text("is ready. Invite your partner organisations")
    ).to_be_visible()

    page.get_by_role("link", name="Invite a partner").click()
    page.fill("input[name=new_organisation]", "Westside Pantry Network")
    page.fill("input[name=email]", "ana@pantry.example")
    page.select_option("select[name=role]", "coordinator")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to ana@pantry.example")).to_be_visible()
    expect(page.get_by_role("heading", name="Westside Pantry Network")).to_be_visible()
    assert Invitation.objects.filter(email="ana@pantry.example").exists()

    page.goto(f"{live_server.url}/admin/partnerships/")
    row = page.get_by_role("row").filter(has_text="Westside Food Partnership")
    expect(row).to_contain_text("Northside Family Services")

    login("outsider")
    page.goto(f"{live_server.url}/admin/partnerships/")
    expect(page.get_by_text("Lakeshore Youth Mentoring Partnership")).to_be_visible()
    expect(page.get_by_text("Westside Food Partnership")).to_have_count(0)
    expect(page.get_by_text("Eastside Family Support Partnership")).to_have_count(0)
