"""Matching against a hand-computed fixture: eligibility, distance, language,
fees and opening hours on each service's own clock across a time-zone change."""

import datetime

import pytest

from screener.matching import match, place_of
from screener.questionnaire import Needs

from ..factories import DirectoryServiceFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC

# Springfield, MA (ZIP 01101) and places a known distance from it.
HOME = (42.1015, -72.5898)


@pytest.fixture
def services(db):
    common = {"category": "housing", "opening_days": "MO,TU,WE,TH,FR"}
    return {
        # At the ZIP's own point: distance 0.
        "here": DirectoryServiceFactory(
            name="Here",
            postal_code="01101",
            latitude=HOME[0],
            longitude=HOME[1],
            **common,
        ),
        # 0.1 degree of latitude north: 11.1 km = 6.9 miles.
        "north": DirectoryServiceFactory(
            name="North",
            postal_code="01102",
            latitude=HOME[0] + 0.1,
            longitude=HOME[1],
            languages="English, Spanish",
            **common,
        ),
        # Far beyond the 80 km box (Boston is ~120 km away).
        "far": DirectoryServiceFactory(
            name="Far",
            postal_code="02108",
            latitude=42.3601,
            longitude=-71.0589,
            **common,
        ),
        "adults": DirectoryServiceFactory(
            name="Adults only", min_age=18, max_age=64, **common
        ),
        "other_area": DirectoryServiceFactory(
            name="Worcester residents", service_area="016", **common
        ),
        "our_area": DirectoryServiceFactory(
            name="Springfield residents", service_area="010, 011", **common
        ),
        "low_income": DirectoryServiceFactory(
            name="Low income", income_limit=30000, fee_kind="free", **common
        ),
        "food": DirectoryServiceFactory(name="Pantry", category="food"),
        "draft": DirectoryServiceFactory(name="Draft", published=False, **common),
    }


def names(matches):
    return [m.service.name for m in matches]


def test_the_place_of_a_zip_is_where_the_directory_has_it():
    DirectoryServiceFactory(postal_code="01101", latitude=42.0, longitude=-72.0)
    DirectoryServiceFactory(postal_code="01101", latitude=42.2, longitude=-72.2)
    lat, lon = place_of("01101")
    assert (round(lat, 6), round(lon, 6)) == (42.1, -72.1)
    # Only the area is known: the area's mean.
    assert place_of("01199") == pytest.approx((42.1, -72.1))
    assert place_of("99999") is None


def test_eligibility_keeps_out_who_the_service_does_not_take(services):
    needs = Needs(categories={"housing"}, zip_code="01101", age=70, income=45000)
    found = names(match(needs))
    assert "Adults only" not in found  # 70 is past 64
    assert "Worcester residents" not in found  # area 016, not 011
    assert "Low income" not in found  # 45,000 is over 30,000
    assert "Springfield residents" in found
    assert "Far" not in found  # outside the distance box
    assert "Pantry" not in found and "Draft" not in found
    young = names(match(Needs(categories={"housing"}, age=30, income=20000)))
    assert {"Adults only", "Low income", "Worcester residents"} <= set(young)


def test_distance_is_computed_in_the_database_and_ranks(services):
    now = datetime.datetime(2026, 3, 7, 18, 0, tzinfo=UTC)  # a Saturday: all closed
    matches = match(Needs(categories={"housing"}, zip_code="01101"), now=now)
    by_name = {m.service.name: m for m in matches}
    assert by_name["Here"].distance_km == 0.0
    assert by_name["North"].distance_km == pytest.approx(11.1, abs=0.05)
    assert "About 6.9 miles away" in by_name["North"].reasons
    # Closer first; services without a place rank as 25 km away.
    assert names(matches).index("Here") < names(matches).index("North")
    assert "About 6.9 miles away" in by_name["North"].reasons


def test_language_and_fees_rank_and_say_why(services):
    now = datetime.datetime(2026, 3, 7, 18, 0, tzinfo=UTC)
    matches = match(
        Needs(categories={"housing"}, zip_code="01101", language="Spanish"), now=now
    )
    # North speaks Spanish: +20 outweighs 11 km.
    assert names(matches)[0] == "North"
    assert "Speaks Spanish" in matches[0].reasons
    free = next(m for m in matches if m.service.name == "Low income")
    assert "Free" in free.reasons


def test_open_now_is_read_on_the_services_own_clock_across_dst(services):
    DirectoryServiceFactory(
        name="West coast line",
        category="legal",
        time_zone="America/Los_Angeles",
        opens_at="09:00",
        closes_at="17:00",
    )
    DirectoryServiceFactory(
        name="East coast desk",
        category="legal",
        time_zone="America/New_York",
        opens_at="09:00",
        closes_at="17:00",
    )
    needs = Needs(categories={"legal"})

    def state(now):
        return {m.service.name: m.reasons for m in match(needs, now=now)}

    # Friday 6 March 2026, 13:30 UTC: New York is on EST (UTC-5), 8:30 there:
    # opens soon; Los Angeles 5:30: closed.
    before = state(datetime.datetime(2026, 3, 6, 13, 30, tzinfo=UTC))
    assert "Opens soon, at 9 a.m." in before["East coast desk"]
    assert not any("Open" in r for r in before["West coast line"])
    # Monday 9 March, the same 13:30 UTC: clocks went forward on the 8th, EDT
    # (UTC-4) makes it 9:30 in New York: open now.
    after = state(datetime.datetime(2026, 3, 9, 13, 30, tzinfo=UTC))
    assert "Open now, until 5 p.m." in after["East coast desk"]
    assert (
        names(match(needs, now=datetime.datetime(2026, 3, 9, 13, 30, tzinfo=UTC)))[0]
        == "East coast desk"
    )
    # 17:30 UTC on the 9th: 10:30 in Los Angeles (PDT): the west is open.
    late = state(datetime.datetime(2026, 3, 9, 17, 30, tzinfo=UTC))
    assert "Open now, until 5 p.m." in late["West coast line"]


def test_each_match_says_why_it_was_suggested(services):
    matches = match(Needs(categories={"housing"}, zip_code="01101", age=30))
    springfield = next(m for m in matches if m.service.name == "Springfield residents")
    assert "Helps with: Housing" in springfield.reasons
    assert "Serves your area (ZIP 01101)" in springfield.reasons
    adults = next(m for m in matches if m.service.name == "Adults only")
    assert "Serves people aged 18 to 64; you are 30" in adults.reasons
