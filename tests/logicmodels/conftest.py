import datetime

import pytest

from logicmodels import services


@pytest.fixture
def model(cast):
    return services.model_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Families connected",
        next_review=datetime.date.today() + datetime.timedelta(days=90),
    )


@pytest.fixture
def chain(cast, model):
    """activity → output → short-term outcome, with an indicator on the outcome."""
    add = lambda kind, text: services.element_add(  # noqa: E731
        model=model, by=cast.coordinator, kind=kind, text=text
    )
    activity = add("activity", "Warm hand-offs between partners")
    output = add("output", "Families referred")
    outcome = add("short", "Families connected to housing within 14 days")
    services.link_add(model=model, by=cast.coordinator, source=activity, target=output)
    services.link_add(model=model, by=cast.coordinator, source=output, target=outcome)
    indicator = services.indicator_add(
        element=outcome,
        by=cast.coordinator,
        name="Share connected within 14 days",
        unit="percent",
        responsible=cast.riverside,
        baseline_value=40,
        baseline_date=datetime.date(2026, 1, 1),
        reporting_from=datetime.date(2026, 1, 1),
        reporting_until=datetime.date(2027, 12, 31),
        frequency="quarterly",
    )
    return {
        "activity": activity,
        "output": output,
        "outcome": outcome,
        "indicator": indicator,
    }
