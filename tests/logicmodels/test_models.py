import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accountability import services as accountability_services
from logicmodels import diagram, selectors, services
from logicmodels.models import Element, Link, LogicModel, Measurement, progress

pytestmark = pytest.mark.django_db


def test_a_link_that_closes_a_loop_is_refused_with_the_loop_named(cast, model, chain):
    with pytest.raises(ValidationError) as refused:
        services.link_add(
            model=model,
            by=cast.coordinator,
            source=chain["outcome"],
            target=chain["activity"],
        )
    message = refused.value.messages[0]
    assert "“Families connected to housing within 14 days” → “Warm hand-offs" in message
    assert "→ “Families referred” → “Families connected" in message
    assert Link.objects.count() == 2


def test_a_link_to_another_partnerships_model_is_refused(
    cast, model, chain, client_for
):
    other = services.model_create(
        partnership=cast.lakeshore, by=cast.outsider, title="Mentoring"
    )
    foreign = services.element_add(
        model=other, by=cast.outsider, kind="output", text="Mentors matched"
    )
    response = client_for(cast.coordinator).post(
        reverse("logicmodels:link_add", args=[model.pk]),
        {"source": chain["activity"].pk, "target": foreign.pk},
        follow=True,
    )
    assert "Choose two elements of this logic model" in response.text
    assert Link.objects.filter(target=foreign).count() == 0


def test_the_checklist_reports_what_is_missing(cast, model, chain):
    services.element_add(
        model=model, by=cast.coordinator, kind="output", text="Leaflets printed"
    )
    results = dict(services.quality_checklist(model))
    assert results["“Families connected to housing within 14 days” has an indicator"]
    assert results["Output “Families referred” comes from an activity"]
    assert not results["Output “Leaflets printed” comes from an activity"]
    assert results[
        "“Share connected within 14 days” has a baseline (or is marked pending)"
    ]
    assert not results["“Share connected within 14 days” has a target"]
    assert results["The review date has not passed"]


def test_progress_to_target_is_the_share_of_the_way_from_baseline():
    assert progress(Decimal(55), Decimal(40), Decimal(70)) == 0.5
    assert progress(Decimal(20), Decimal(30), Decimal(10), "down") == 0.5
    assert progress(None, Decimal(40), Decimal(70)) is None


def test_measurements_outside_the_range_or_not_numbers_are_refused(
    cast, chain, client_for
):
    indicator = chain["indicator"]
    url = reverse("logicmodels:indicator", args=[indicator.pk])
    client = client_for(cast.partner)
    base = {
        "action": "measurement",
        "m-period_start": "2028-01-01",
        "m-period_end": "2028-03-31",
        "m-value": "50",
    }
    response = client.post(url, base)
    assert "is outside this indicator" in response.text
    response = client.post(
        url,
        {
            **base,
            "m-period_start": "2026-01-01",
            "m-period_end": "2026-03-31",
            "m-value": "fifty",
        },
    )
    assert "Enter a number" in response.text
    assert not Measurement.objects.exists()
    client.post(
        url,
        {
            **base,
            "m-period_start": "2026-01-01",
            "m-period_end": "2026-03-31",
            "m-value": "55",
        },
    )
    assert Measurement.objects.get().value == 55


def test_only_the_responsible_organisation_enters_measurements(cast, chain, client_for):
    response = client_for(cast.housing).post(
        reverse("logicmodels:indicator", args=[chain["indicator"].pk]),
        {
            "action": "measurement",
            "m-period_start": "2026-01-01",
            "m-period_end": "2026-03-31",
            "m-value": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert not Measurement.objects.exists()


def test_a_target_without_a_period_is_refused(cast, chain, client_for):
    response = client_for(cast.coordinator).post(
        reverse("logicmodels:indicator", args=[chain["indicator"].pk]),
        {"action": "target", "t-value": "70"},
    )
    assert "A target needs the period it is for" in response.text
    assert not chain["indicator"].targets.exists()


def test_a_csv_with_any_bad_row_imports_nothing_and_names_the_rows(cast, chain):
    data = (
        b"period_start,period_end,value,numerator,denominator,note\n"
        b"2026-01-01,2026-03-31,45,,,first quarter\n"
        b"2026-04-01,2026-06-30,abc,,,\n"
        b"2030-01-01,2030-03-31,50,,,\n"
        b"2026-07-01,2026-09-30,,30,60,by fraction\n"
    )
    count, problems = services.measurements_import(
        indicator=chain["indicator"], by=cast.partner, data=data
    )
    assert count == 0
    assert problems[0] == "Row 3: value “abc” is not a number."
    assert problems[1].startswith("Row 4: 2030-01-01–2030-03-31 is outside")
    assert not Measurement.objects.exists()
    good = b"\n".join(
        line for line in data.split(b"\n") if b"abc" not in line and b"2030" not in line
    )
    count, problems = services.measurements_import(
        indicator=chain["indicator"], by=cast.partner, data=good
    )
    assert (count, problems) == (2, [])
    assert Measurement.objects.get(note="by fraction").value == Decimal("0.5")


def test_the_diagram_is_valid_xml_with_escaped_text_and_status(cast, model, chain):
    tricky = services.element_add(
        model=model,
        by=cast.coordinator,
        kind="input",
        text='Staff & volunteers <"trained">',
    )
    services.checkin_add(
        indicator=chain["indicator"],
        by=cast.partner,
        status="off_track",
        narrative="Waiting lists grew.",
    )
    svg = selectors.diagram_svg(model)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    texts = " ".join(
        t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")
    )
    assert 'Staff & volunteers <"trained">' in texts
    for element in model.elements.all():
        assert element.text.split()[0] in texts
    assert 'data-status="off_track"' in svg
    assert f'data-link="{chain["activity"].pk}-{chain["output"].pk}"' in svg
    assert tricky.pk


def test_two_hundred_elements_never_overlap(cast, model):
    kinds = list(Element.Kind.values)
    boxes = [
        diagram.Box(
            i,
            kinds[i % len(kinds)],
            f"Element {i} " + "with a longer description " * (i % 4),
        )
        for i in range(200)
    ]
    diagram.layout(boxes)
    for index, a in enumerate(boxes):
        for b in boxes[index + 1 :]:
            apart = (
                a.x + diagram.BOX_WIDTH <= b.x
                or b.x + diagram.BOX_WIDTH <= a.x
                or a.y + a.height <= b.y
                or b.y + b.height <= a.y
            )
            assert apart, (a, b)
    svg = diagram.render("Big", boxes, [(i, i + 1) for i in range(0, 198, 7)])
    ET.fromstring(svg)  # noqa: S314 - our own output


def test_adopting_retires_the_old_version_which_stays_readable(
    cast, model, chain, client_for
):
    services.model_adopt(model=model, by=cast.coordinator)
    new = services.model_new_version(model=model, by=cast.coordinator)
    assert new.elements.count() == 3 and new.links.count() == 2
    services.model_adopt(model=new, by=cast.coordinator)
    model.refresh_from_db()
    assert model.state == "retired"
    page = client_for(cast.partner).get(model.get_absolute_url())
    assert page.status_code == 200
    with pytest.raises(ValidationError, match="start a new version"):
        services.element_add(model=model, by=cast.coordinator, kind="input", text="x")


def test_results_framework_exports(cast, chain, client_for):
    services.measurement_add(
        indicator=chain["indicator"],
        by=cast.partner,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        value=Decimal(45),
    )
    response = client_for(cast.leader).get(
        reverse("logicmodels:export", args=[chain["outcome"].model_id, "csv"])
    )
    text = response.content.decode("utf-8-sig")
    assert "Share connected within 14 days" in text
    assert "45.0" in text


def test_a_learning_proposal_opens_a_new_draft_of_the_adopted_model(
    cast, model, chain, client_for
):

    services.model_adopt(model=model, by=cast.coordinator)
    entry = accountability_services.learning_entry_create(
        partnership=cast.eastside,
        by=cast.partner,
        title="Add a housing outcome",
        practice="purpose",
        what_happened="x",
        what_we_learned="y",
        proposal_kind="logic_model",
        proposal="Add 'families stay housed'.",
    )
    response = client_for(cast.coordinator).post(
        reverse("logicmodels:from_proposal", args=[cast.eastside.pk, entry.pk])
    )
    draft = cast.eastside.logic_models.get(state="draft")
    assert response["Location"] == draft.get_absolute_url()
    assert draft.previous == model
    entry.refresh_from_db()
    assert entry.proposal_status == "accepted"


def test_the_docx_summary_holds_the_model_and_the_diagram(cast, chain, client_for):
    import io as _io

    from docx import Document

    response = client_for(cast.leader).get(
        reverse("logicmodels:export", args=[chain["outcome"].model_id, "docx"])
    )
    document = Document(_io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Warm hand-offs between partners → Families referred" in text
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Share connected within 14 days (percent)" in cells
    from logicmodels.documents import diagram_png

    if diagram_png("<svg xmlns='http://www.w3.org/2000/svg'/>") is not None:
        assert document.inline_shapes, "LibreOffice is here, so the diagram is in"


def test_activities_tie_to_responsibilities_of_the_same_partnership_only(
    cast, chain, client_for
):

    own = accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Run hand-offs",
        owner=cast.riverside,
    )
    foreign = accountability_services.responsibility_create(
        partnership=cast.lakeshore,
        by=cast.outsider,
        title="Lakeshore job",
        owner=cast.lakeshore_org,
    )
    url = reverse("logicmodels:element_tie", args=[chain["activity"].model_id])
    client = client_for(cast.coordinator)
    client.post(url, {"element": chain["activity"].pk, "responsibility": foreign.pk})
    assert not chain["activity"].responsibilities.exists()
    client.post(url, {"element": chain["activity"].pk, "responsibility": own.pk})
    assert list(chain["activity"].responsibilities.all()) == [own]


def test_the_model_page_costs_the_same_queries_at_any_size(
    cast, model, chain, client_for, django_assert_max_num_queries
):

    responsibility = accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Hand-offs",
        owner=cast.riverside,
    )
    for n in range(60):
        element = Element.objects.create(
            model=model, kind=list(Element.FLOW)[n % 7], text=f"Element {n}", order=n
        )
        if element.kind == "activity":
            element.responsibilities.add(responsibility)
    client = client_for(cast.partner)
    with django_assert_max_num_queries(30):
        response = client.get(model.get_absolute_url())
    assert response.status_code == 200
    assert "Tracked as: " in response.text


@pytest.mark.parametrize("state", ["adopted", "retired"])
def test_only_a_draft_is_adopted(cast, model, state):
    LogicModel.objects.filter(pk=model.pk).update(state=state)
    model.refresh_from_db()
    with pytest.raises(ValidationError, match=f"this version is {state}"):
        services.model_adopt(model=model, by=cast.coordinator)
    model.refresh_from_db()
    assert model.state == state


def test_adopting_retires_only_the_adopted_version_and_records_both(cast, model):
    services.model_adopt(model=model, by=cast.coordinator)
    parked = services.model_new_version(model=model, by=cast.coordinator)
    new = services.model_new_version(model=model, by=cast.coordinator)
    services.model_adopt(model=new, by=cast.coordinator)
    states = dict(
        LogicModel.objects.filter(partnership=cast.eastside).values_list("pk", "state")
    )
    assert states == {model.pk: "retired", parked.pk: "draft", new.pk: "adopted"}
    actions = ModelLogEntry.objects.filter(
        object_id=str(cast.eastside.pk), action__startswith="logicmodels."
    ).values_list("action", flat=True)
    assert list(actions).count("logicmodels.retire") == 1
    # A retired version never comes back: it is not a draft.
    with pytest.raises(ValidationError, match="this version is retired"):
        services.model_adopt(model=model, by=cast.coordinator)
