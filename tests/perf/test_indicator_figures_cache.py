"""The logic-model panel's figures (off-track and stale indicators) come from
the figure cache: each change to a model, indicator, measurement or check-in,
through any write path, shows at once, and each person sees their own."""

import datetime

import pytest
from django.db import connection

from logicmodels import dashboard
from logicmodels.models import CheckIn, LogicModel, Measurement

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="PostgreSQL changes the token at commit; a test never commits",
    ),
]


def names(figures):
    return {key: [i.name for i in figures[key]] for key in ("off_track", "stale")}


def test_cached_indicator_figures_follow_every_change(cast, model, chain):
    viewers = [cast.coordinator, cast.partner, cast.outsider, cast.hub]

    def check():
        for user in viewers:
            cached = dashboard.indicator_figures(user)
            assert names(cached) == names(
                dashboard._figures(user, datetime.date.today())
            )

    check()
    LogicModel.objects.filter(pk=model.pk).update(state=LogicModel.State.ADOPTED)
    check()
    assert names(dashboard.indicator_figures(cast.coordinator))["stale"] == [
        "Share connected within 14 days"
    ]
    CheckIn.objects.create(
        indicator=chain["indicator"], narrative="Behind.", status="off_track"
    )
    check()
    assert names(dashboard.indicator_figures(cast.coordinator))["off_track"] == [
        "Share connected within 14 days"
    ]
    today = datetime.date.today()
    Measurement.objects.create(
        indicator=chain["indicator"],
        period_start=today - datetime.timedelta(days=30),
        period_end=today,
        value=50,
    )
    check()
    assert names(dashboard.indicator_figures(cast.coordinator))["stale"] == []
    # Not in Eastside: nothing of it, though another person's figures are cached.
    assert names(dashboard.indicator_figures(cast.outsider)) == {
        "off_track": [],
        "stale": [],
    }
