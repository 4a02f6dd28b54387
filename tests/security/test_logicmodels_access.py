"""Issue 10, defect 8 (logic models): every service checks the policy when called
directly, and a leadership viewer changes nothing, by service or by POST."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accountability.models import LearningEntry, Responsibility
from logicmodels import services
from logicmodels.models import (
    CheckIn,
    Element,
    Indicator,
    Link,
    LogicModel,
    Measurement,
    Target,
)
from partnerships.models import PartnershipRole

from ..logicmodels import conftest as standing

pytestmark = pytest.mark.django_db

# The app's standing fixtures, shared with tests/logicmodels.
chain = standing.chain
model = standing.model

Q1 = {
    "period_start": datetime.date(2026, 1, 1),
    "period_end": datetime.date(2026, 3, 31),
}
CSV = b"period_start,period_end,value\n2026-01-01,2026-03-31,45\n"


def _snapshot():
    return (
        list(LogicModel.objects.values_list("pk", "title", "state")),
        list(Element.objects.values_list("pk", "text")),
        Link.objects.count(),
        list(Indicator.objects.values_list("pk", "name")),
        Target.all_objects.count(),
        Measurement.all_objects.count(),
        CheckIn.objects.count(),
        sum(e.responsibilities.count() for e in Element.objects.all()),
    )


def _writes(cast, model, chain, by):
    responsibility = Responsibility.objects.create(
        partnership=cast.eastside, title="Warm hand-offs", owner=cast.northside
    )
    entry = LearningEntry.objects.create(
        partnership=cast.eastside,
        title="Change the model",
        what_happened="x",
        proposal="Add an outcome",
        proposal_status="open",
        author=cast.coordinator,
    )
    indicator = chain["indicator"]
    return {
        "model_create": lambda: services.model_create(
            partnership=cast.eastside, by=by, title="Mine"
        ),
        "element_add": lambda: services.element_add(
            model=model, by=by, kind="input", text="Mine"
        ),
        "link_add": lambda: services.link_add(
            model=model, by=by, source=chain["activity"], target=chain["outcome"]
        ),
        "indicator_add": lambda: services.indicator_add(
            element=chain["output"],
            by=by,
            name="Mine",
            responsible=cast.northside,
            reporting_from=datetime.date(2026, 1, 1),
        ),
        "target_add": lambda: services.target_add(
            indicator=indicator, by=by, **Q1, value=Decimal(70)
        ),
        "measurement_add": lambda: services.measurement_add(
            indicator=indicator, by=by, **Q1, value=Decimal(45)
        ),
        "measurements_import": lambda: services.measurements_import(
            indicator=indicator, by=by, data=CSV
        ),
        "checkin_add": lambda: services.checkin_add(
            indicator=indicator, by=by, status="on_track", narrative="Fine"
        ),
        "element_tie": lambda: services.element_tie(
            element=chain["activity"], by=by, responsibility=responsibility
        ),
        "model_adopt": lambda: services.model_adopt(model=model, by=by),
        "model_new_version": lambda: services.model_new_version(model=model, by=by),
        "version_from_proposal": lambda: services.version_from_proposal(
            entry=entry, by=by
        ),
    }


@pytest.mark.parametrize("with_coordinator_role", [False, True])
def test_a_leadership_viewer_cannot_change_logic_models_through_services(
    cast, model, chain, with_coordinator_role
):
    if with_coordinator_role:
        # The attack: a leader handed the coordinator role.
        PartnershipRole.objects.create(
            participation=cast.eastside_lead,
            user=cast.leader,
            role=PartnershipRole.Role.COORDINATOR,
        )
    writes = _writes(cast, model, chain, cast.leader)
    before = _snapshot()
    for name, write in writes.items():
        with pytest.raises(PermissionDenied):
            write()
            pytest.fail(f"{name} let the leadership viewer change the logic model")
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["stranger", "outsider"])
def test_a_stranger_calling_logic_model_services_directly_is_refused(
    cast, model, chain, who
):
    writes = _writes(cast, model, chain, getattr(cast, who))
    before = _snapshot()
    for name, write in writes.items():
        with pytest.raises(PermissionDenied):
            write()
            pytest.fail(f"{name} let {who} change the logic model")
    assert _snapshot() == before


def test_a_leadership_viewer_cannot_change_logic_models_through_posts(
    cast, model, chain, client_for
):
    client = client_for(cast.leader)
    indicator_url = reverse("logicmodels:indicator", args=[chain["indicator"].pk])
    assert client.get(model.get_absolute_url()).status_code == 200
    assert client.get(indicator_url).status_code == 200
    before = _snapshot()
    posts = [
        (reverse("logicmodels:index", args=[cast.eastside.pk]), {"title": "Mine"}),
        (
            reverse("logicmodels:element_add", args=[model.pk]),
            {"kind": "input", "text": "Mine"},
        ),
        (
            reverse("logicmodels:link_add", args=[model.pk]),
            {"source": chain["activity"].pk, "target": chain["outcome"].pk},
        ),
        (
            reverse("logicmodels:indicator_add", args=[model.pk]),
            {
                "element": chain["output"].pk,
                "name": "Mine",
                "unit": "count",
                "frequency": "quarterly",
                "direction": "up",
                "responsible": cast.northside.pk,
                "reporting_from": "2026-01-01",
            },
        ),
        (reverse("logicmodels:element_tie", args=[model.pk]), {}),
        (reverse("logicmodels:adopt", args=[model.pk]), {}),
        (reverse("logicmodels:new_version", args=[model.pk]), {}),
        (
            indicator_url,
            {
                "action": "target",
                "t-period_start": "2026-01-01",
                "t-period_end": "2026-03-31",
                "t-value": "70",
            },
        ),
        (
            indicator_url,
            {
                "action": "measurement",
                "m-period_start": "2026-01-01",
                "m-period_end": "2026-03-31",
                "m-value": "45",
            },
        ),
        (
            indicator_url,
            {
                "action": "import",
                "i-file": SimpleUploadedFile("m.csv", CSV, content_type="text/csv"),
            },
        ),
        (
            indicator_url,
            {"action": "checkin", "c-status": "on_track", "c-narrative": "Fine"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home"), url
    assert _snapshot() == before
