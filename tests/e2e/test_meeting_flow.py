import datetime

import pytest
from playwright.sync_api import expect

from meetings import services
from meetings.models import Attendance, MeetingSeries

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_coordinator_runs_a_monthly_review_and_a_guest_rsvps(
    cast, page, live_server, login
):
    base = live_server.url
    first = datetime.date.today() + datetime.timedelta(days=7)
    login("coordinator")
    page.goto(f"{base}/admin/meetings/partnership/{cast.eastside.pk}/")
    page.get_by_role("link", name="New meeting series").click()
    page.fill("input[name=title]", "Monthly shared-participant review")
    page.select_option("select[name=preset]", "custom")
    page.select_option("select[name=frequency]", "MONTHLY")
    page.fill("input[name=interval]", "1")
    page.fill("input[name=start_date]", first.isoformat())
    page.fill("input[name=start_time]", "10:00")
    page.fill("textarea[name=external]", "Ana Costa <ana@pantry.example>")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("nothing has been sent")).to_be_visible()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("Invitations sent to 1 people")).to_be_visible()

    page.locator("[data-occurrences] a").first.click()
    for title, minutes in [("Families waiting for housing", "20"), ("Staffing", "10")]:
        form = page.locator("[data-agenda-form]")
        form.locator("input[name=title]").fill(title)
        form.locator("input[name=minutes_allotted]").fill(minutes)
        form.get_by_role("button", name="Add to the agenda").click()
    expect(page.locator("[data-agenda]")).to_contain_text(
        "Families waiting for housing"
    )
    page.get_by_role("button", name="Start: mark as held").click()
    page.fill("#decision", "Review the waiting list every week")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("[data-decisions]")).to_contain_text("every week")
    action = page.locator("[data-action-form]")
    action.locator("input[name=text]").fill("Send the waiting list each Monday")
    action.locator("select[name=owner]").select_option(label="Riverside Health Clinic")
    action.get_by_role("button", name="Record action").click()
    expect(page.get_by_text("added to the responsibility tracker")).to_be_visible()

    page.get_by_role("navigation", name="Partnership sections").get_by_role(
        "link", name="Responsibilities"
    ).click()
    expect(page.get_by_text("Send the waiting list each Monday")).to_be_visible()

    series = MeetingSeries.objects.get()
    invitee = series.invitees.get(email="ana@pantry.example")
    link = services.rsvp_links(series, invitee)["url"].replace(
        "http://testserver", base
    )
    page.context.clear_cookies()
    page.goto(link)
    page.get_by_role("button", name="Coming", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Coming")
    attendance = Attendance.objects.get(invitee=invitee)
    assert attendance.response == "accepted"
    assert attendance.meeting.state == "held"
