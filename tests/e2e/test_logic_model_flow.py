from pathlib import Path

import pytest
from playwright.sync_api import expect

from logicmodels.models import Element, Indicator, LogicModel

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"


def test_partners_build_a_model_measure_and_see_it_drawn(
    cast, page, live_server, login
):
    base = live_server.url
    login("coordinator")
    page.goto(f"{base}/admin/logic-models/partnership/{cast.eastside.pk}/")
    page.fill("input[name=title]", "Families connected")
    page.get_by_role("button", name="Create").click()
    model = LogicModel.objects.get()

    for kind, text in [
        ("activity", "Warm hand-offs between partners"),
        ("output", "Families referred"),
        ("short", "Families housed within 14 days"),
    ]:
        form = page.locator("[data-element-form]")
        form.locator("select[name=kind]").select_option(kind)
        form.locator("input[name=text]").fill(text)
        form.get_by_role("button", name="Add element").click()
    form = page.locator("[data-link-form]")
    form.locator("select[name=source]").select_option(
        label="Activities: Warm hand-offs between partners"
    )
    form.locator("select[name=target]").select_option(
        label="Outputs: Families referred"
    )
    form.get_by_role("button", name="Add link").click()
    expect(page.locator("[data-links]")).to_contain_text(
        "Warm hand-offs between partners → Families referred"
    )

    outcome = Element.objects.get(kind="short")
    form = page.locator("[data-indicator-form]")
    form.locator("select[name=element]").select_option(str(outcome.pk))
    form.locator("input[name=name]").fill("Share housed within 14 days")
    form.locator("select[name=unit]").select_option("percent")
    form.locator("select[name=responsible]").select_option(
        label="Riverside Health Clinic"
    )
    form.locator("input[name=baseline_value]").fill("40")
    form.locator("input[name=reporting_from]").fill("2026-01-01")
    form.get_by_role("button", name="Add indicator").click()
    page.locator("[data-target-form] input[name=t-period_start]").fill("2026-01-01")
    page.locator("[data-target-form] input[name=t-period_end]").fill("2026-12-31")
    page.locator("[data-target-form] input[name=t-value]").fill("70")
    page.get_by_role("button", name="Add target").click()
    expect(page.get_by_text("Target added.")).to_be_visible()
    indicator = Indicator.objects.get()

    login("partner")
    page.goto(f"{base}/admin/logic-models/indicators/{indicator.pk}/")
    form = page.locator("[data-measurement-form]")
    form.locator("input[name=m-period_start]").fill("2026-01-01")
    form.locator("input[name=m-period_end]").fill("2026-03-31")
    form.locator("input[name=m-value]").fill("55")
    form.get_by_role("button", name="Record measurement").click()
    expect(page.locator("[data-progress]")).to_have_text("50%")
    form = page.locator("[data-checkin-form]")
    form.locator("select[name=c-status]").select_option("at_risk")
    form.locator("textarea[name=c-narrative]").fill("Winter waiting lists are long.")
    form.get_by_role("button", name="Record check-in").click()
    expect(page.locator("[data-checkins]")).to_contain_text("At risk")

    page.goto(f"{base}/admin/logic-models/{model.pk}/diagram.svg")
    svg = page.locator("svg")
    expect(svg.locator("[data-status=at_risk]")).to_have_count(1)
    expect(svg.locator("path[data-link]")).to_have_count(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/admin/logic-models/{model.pk}/")
    figure = page.locator("[data-diagram] img")
    expect(figure).to_be_visible()
    assert figure.evaluate("img => img.naturalWidth") > 0  # Chromium rendered it
    figure.screenshot(path=str(ARTIFACTS / "logic-model-diagram.png"))
    assert (ARTIFACTS / "logic-model-diagram.png").stat().st_size > 1000
