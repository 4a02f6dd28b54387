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
    # The partnership's four role holders start ticked; the guest is the fifth.
    expect(page.get_by_text("Invitations sent to 5 people")).to_be_visible()

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


def test_a_new_series_time_keeps_pages_feed_and_invitation_in_agreement(
    cast, page, live_server, login
):
    """The coordinator moves the series' time after one date was moved and one
    cancelled: for eight months (so across a daylight-saving change) the series
    page, the partnership feed and the update sent to invitees list the same
    meetings, the moved one where it was moved and the cancelled one nowhere."""
    import re

    import icalendar
    import recurring_ical_events
    from django.urls import reverse
    from django.utils import timezone

    from meetings.models import Delivery, FeedToken

    utc = datetime.UTC
    series = services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Monthly shared-participant review",
        kind="shared_review",
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        start_local=datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=1), datetime.time(10)
        ),
        duration_minutes=60,
        tz="America/New_York",
        invitees=[(None, "ana@pantry.example", "Ana Costa")],
    )
    services.series_publish(series=series, by=cast.coordinator)
    now = timezone.now()
    window = (now, now + datetime.timedelta(days=245))
    dates = services.occurrences(series, start=window[0], end=window[1])
    moved = services.occurrence_for(series, dates[1].key)
    moved_to = datetime.datetime.combine(
        dates[1].start.astimezone(series.zone).date() + datetime.timedelta(days=1),
        datetime.time(9, 0),
    )
    services.meeting_move(meeting=moved, by=cast.coordinator, start_local=moved_to)
    cancelled = services.occurrence_for(series, dates[3].key)
    services.meeting_cancel(meeting=cancelled, by=cast.coordinator)
    # Ana's answer link for one date, as the first invitation gave it.
    ana = series.invitees.get(email="ana@pantry.example")
    old_link = reverse(
        "meetings_rsvp", args=[services.rsvp_token(ana, dates[2].original_start)]
    )

    login("coordinator")
    base = live_server.url
    page.goto(base + reverse("meetings:series_edit", args=[series.pk]))
    page.fill("input[name=start_time]", "14:30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("1 update sent")).to_be_visible()

    zone = series.zone
    expected = sorted(
        [
            datetime.datetime.combine(
                d.original_start.astimezone(zone).date(), datetime.time(14, 30)
            ).replace(tzinfo=zone)
            for i, d in enumerate(dates)
            if i not in (1, 3)
        ]
        + [moved_to.replace(tzinfo=zone)]
    )
    expected = [e.astimezone(utc) for e in expected]
    offsets = {e.astimezone(zone).utcoffset() for e in expected}
    assert len(offsets) == 2, "the window must cross a daylight-saving change"

    def in_window(starts):
        return sorted(s for s in starts if window[0] <= s < window[1])

    # The series page, as the coordinator reads it.
    page.goto(base + series.get_absolute_url())
    shown = []
    for row in page.locator("[data-occurrences] tr").all_inner_texts():
        match = re.match(r"\w{3} (\d+ \w{3} \d{4}, \d\d:\d\d) \(New York time\)", row)
        if match and "Cancelled" not in row:
            local = datetime.datetime.strptime(match.group(1), "%d %b %Y, %H:%M")
            shown.append(local.replace(tzinfo=zone).astimezone(utc))
    assert in_window(shown) == expected

    def expand(data: bytes) -> list[datetime.datetime]:
        calendar = icalendar.Calendar.from_ical(data)
        return in_window(
            e["DTSTART"].dt.astimezone(utc)
            for e in recurring_ical_events.of(calendar).between(*window)
            if str(e.get("STATUS", "")).upper() != "CANCELLED"
        )

    # Each meeting's own page says the same time.
    links = [
        (link.get_attribute("href"), row)
        for link, row in zip(
            page.locator("[data-occurrences] tr td:first-child a").all(),
            page.locator("[data-occurrences] tr").all_inner_texts(),
            strict=True,
        )
        if "Cancelled" not in row
    ]
    on_pages = []
    for href, _ in links:
        page.goto(base + href)
        text = page.locator("[data-meeting-state]").inner_text()
        match = re.search(r"(\w+day \d+ \w+ \d{4}, \d\d:\d\d) \(New York time\)", text)
        local = datetime.datetime.strptime(match.group(1), "%A %d %B %Y, %H:%M")
        on_pages.append(local.replace(tzinfo=zone).astimezone(utc))
    assert in_window(on_pages) == expected
    page.goto(base + reverse("meetings:meeting", args=[cancelled.pk]))
    expect(page.locator("[data-meeting-state]")).to_contain_text("Cancelled")

    # The answer link from before the change still opens, at the new time, and
    # its answer is on that meeting's roster.
    page.context.clear_cookies()
    page.goto(base + old_link)
    expect(page.locator("[data-rsvp-date]")).to_contain_text("14:30 (New York time)")
    page.fill("#comment", "Running late, 10 minutes")
    page.get_by_role("button", name="Coming", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("for this date: Coming")
    login("coordinator")
    answered = Attendance.objects.get(invitee=ana).meeting
    assert answered.original_start.astimezone(zone).date() == (
        dates[2].original_start.astimezone(zone).date()
    )
    page.goto(base + reverse("meetings:meeting", args=[answered.pk]))
    roster = page.locator("[data-roster] [data-answer=accepted]")
    expect(roster).to_contain_text("Ana Costa")
    expect(roster).to_contain_text("Running late, 10 minutes")

    token = FeedToken.issue(user=cast.coordinator, partnership=cast.eastside)
    feed = page.request.get(base + reverse("meetings_feed", args=[token]))
    assert feed.ok
    assert expand(feed.body()) == expected

    update = Delivery.objects.filter(method="REQUEST").order_by("-pk").first()
    assert "14:30" in update.body
    assert expand(update.calendar.encode()) == expected
