"""A referral's page reads as people write: the protocol's own field names,
Yes/No rather than True/False, dates in words and statuses by their labels."""

from bs4 import BeautifulSoup

from partnerships import readable
from referrals import services as referral_services


def test_client_details_and_history_read_as_people_write(cast, client_for):
    referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Families needing housing help.",
        steps="Ask consent, refer, follow up.",
        fields=[
            {"name": "need", "label": "Housing need", "type": "text", "required": True},
            {"name": "urgent", "label": "Urgent", "type": "yesno", "required": False},
            {"name": "best_time", "label": "Best time to call", "type": "text"},
            {"name": "seen_on", "label": "Last seen", "type": "date"},
        ],
        consent_required=False,
        acknowledge_days=2,
        outcome_days=30,
    )
    referral = referral_services.referral_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        sender=cast.northside,
        receiver=cast.riverside,
        local_reference="N-1",
        initials="AB",
        birth_year=1990,
        details={
            "need": "eviction",
            "urgent": None,
            "best_time": "",
            "seen_on": "2026-11-02",
        },
        consent={},
    )
    referral_services.referral_move(
        referral=referral, by=cast.partner, status="accepted"
    )
    page = client_for(cast.partner).get(referral.get_absolute_url())
    soup = BeautifulSoup(page.content, "html.parser")
    rows = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
        for dt in soup.select("dt")
    }
    assert rows["Housing need"] == "eviction"
    assert rows["Urgent"] == "No"
    assert rows["Best time to call"] == "—"
    assert rows["Last seen"] == "2 Nov 2026"
    history = soup.select_one("[data-events]").get_text(" ", strip=True)
    assert "Requested → Accepted" in history or "New → Accepted" in history
    assert "accepted" not in history.replace("Accepted", "")


def test_readable_values():
    assert readable.human_key("best_time") == "Best time"
    assert readable.human_value(False) == "No"
    assert readable.human_value(["a", True]) == "a, Yes"
    assert readable.human_value("not-a-date") == "not-a-date"
    assert readable.choice_label("in-progress", {}) == "In-progress"
    assert readable.choice_label("on-hold", {"on-hold": "On hold"}) == "On hold"
