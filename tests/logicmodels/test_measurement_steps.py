"""The organisation responsible for an indicator is asked for its figure once
the next reporting period has ended without one."""

import datetime

from django.utils import timezone

from logicmodels import services
from partnerships import next_steps


def _kinds(user):
    return [step.kind for step in next_steps.for_user(user)]


def test_a_figure_is_asked_for_once_its_period_has_ended(cast, chain):
    indicator = chain["indicator"]  # quarterly, Riverside, reporting since 2026
    today = timezone.localdate()
    # Riverside's people act for it; Northside's coordinator does not report it.
    step = {s.kind: s for s in next_steps.for_user(cast.partner)}["indicator.measure"]
    assert step.url == indicator.get_absolute_url()
    assert "no figure yet" in step.text
    assert "indicator.measure" not in _kinds(cast.coordinator)
    assert "indicator.measure" not in _kinds(cast.leader)
    assert "indicator.measure" not in _kinds(cast.outsider)

    # A figure for the quarter just ended: nothing is due any more.
    services.measurement_add(
        indicator=indicator,
        by=cast.partner,
        period_start=today - datetime.timedelta(days=90),
        period_end=today - datetime.timedelta(days=1),
        value=55,
    )
    assert "indicator.measure" not in _kinds(cast.partner)


def test_a_closed_partnership_asks_for_nothing(cast, chain):
    cast.eastside.status = "closed"
    cast.eastside.save()
    assert "indicator.measure" not in _kinds(cast.partner)
