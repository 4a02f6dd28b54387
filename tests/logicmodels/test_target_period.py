"""The target form offers the period a new target most likely covers, so a
coordinator types only the figure."""

import datetime

from bs4 import BeautifulSoup

from logicmodels import selectors, services

D = datetime.date


def test_the_first_target_covers_the_first_year_of_reporting(cast, chain, client_for):
    indicator = chain["indicator"]
    assert selectors.next_target_period(indicator) == {
        "period_start": D(2026, 1, 1),
        "period_end": D(2026, 12, 31),
    }
    page = client_for(cast.coordinator).get(indicator.get_absolute_url())
    form = BeautifulSoup(page.content, "html.parser").select_one("[data-target-form]")
    assert form.select_one("input[name=t-period_start]")["value"] == "2026-01-01"
    assert form.select_one("input[name=t-period_end]")["value"] == "2026-12-31"


def test_the_next_target_follows_the_last_and_stops_at_the_end_of_reporting(
    cast, chain
):
    indicator = chain["indicator"]
    services.target_add(
        indicator=indicator,
        by=cast.coordinator,
        period_start=D(2026, 1, 1),
        period_end=D(2027, 3, 31),
        value=60,
    )
    # A year from 1 April 2027 would pass the end of reporting (31 Dec 2027).
    assert selectors.next_target_period(indicator) == {
        "period_start": D(2027, 4, 1),
        "period_end": D(2027, 12, 31),
    }
    services.target_add(
        indicator=indicator,
        by=cast.coordinator,
        period_start=D(2027, 4, 1),
        period_end=D(2027, 12, 31),
        value=70,
    )
    assert selectors.next_target_period(indicator) == {}  # reporting is over


def test_a_leap_day_start_ends_a_year_later(cast, chain):
    indicator = chain["indicator"]
    indicator.reporting_from, indicator.reporting_until = D(2028, 2, 29), None
    assert selectors.next_target_period(indicator) == {
        "period_start": D(2028, 2, 29),
        "period_end": D(2029, 2, 28),
    }
