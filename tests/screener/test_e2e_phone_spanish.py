"""A visitor on a phone completes the screener in Spanish, gets matches with
reasons, opens one service and prints the list; nothing about them is stored
(every table holds what it held before, bar the anonymous need counts)."""

import pytest
from django.apps import apps
from playwright.sync_api import expect

from screener.models import NeedCount

from ..factories import DirectoryServiceFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _rows():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model is not NeedCount
    }


def test_a_visitor_on_a_phone_screens_in_spanish_and_nothing_is_kept(
    questionnaire, browser, live_server
):
    DirectoryServiceFactory(
        name="Fondo de alquiler",
        category="housing",
        description="Ayuda para pagar el alquiler.",
        languages="English, Spanish",
        postal_code="01101",
        latitude=42.10,
        longitude=-72.59,
    )
    DirectoryServiceFactory(name="Benefits desk", category="income")
    DirectoryServiceFactory(name="Choir", category="other")
    before = _rows()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/screener/")
    page.get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Qué ayuda necesita?")
    # A bad ZIP code first: a clear message, nothing counted.
    page.fill("#i-zip", "011")
    page.locator("#q-housing").get_by_label("Sí").check()
    page.get_by_role("button", name="Ver servicios para mí").click()
    expect(page.locator("[data-problems]")).to_contain_text("cinco dígitos")
    assert not NeedCount.objects.exists()
    # Skip logic: the rent question shows only once housing is "Sí".
    expect(page.locator("#q-rent")).to_be_visible()
    page.locator("#q-housing").get_by_label("No").check()
    expect(page.locator("#q-rent")).to_be_hidden()
    page.locator("#q-housing").get_by_label("Sí").check()
    page.fill("#i-zip", "01101")
    page.fill("#i-age", "34")
    page.locator("#q-language").get_by_label("Español").check()
    page.locator("#q-rent").get_by_label("Sí").check()
    page.get_by_role("button", name="Ver servicios para mí").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Servicios para usted")
    first = page.locator("[data-match]").first
    expect(first.locator("h2")).to_have_text("Fondo de alquiler")
    expect(first.locator("[data-reasons]")).to_contain_text("Ayuda con: Vivienda")
    expect(first.locator("[data-reasons]")).to_contain_text("Habla Español")
    expect(page.locator("[data-match]", has_text="Benefits desk")).to_contain_text(
        "Ayuda con: Ingresos y beneficios"
    )
    expect(page.get_by_text("Choir")).to_have_count(0)
    wide = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.screener *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert wide <= 390
    results = page.url

    page.get_by_role("link", name="Fondo de alquiler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fondo de alquiler")
    expect(page.locator("[data-phone]")).to_have_attribute("href", "tel:5550100100")
    page.go_back()
    assert page.url == results

    page.evaluate(
        "window.printed = false; window.print = () => { window.printed = true; }"
    )
    page.get_by_role("button", name="Imprimir esta lista").click()
    assert page.evaluate("window.printed") is True
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("[data-match]").first).to_be_visible()
    context.close()

    # Nothing about the visitor: no session, account, referral, task or row of
    # any kind; only the counts of needs by ZIP-3 area and month.
    assert _rows() == before
    cells = sorted(NeedCount.objects.values_list("domain", "area", "screens"))
    assert cells == [("housing", "011", 1), ("income", "011", 1)]
    assert {c.month.day for c in NeedCount.objects.all()} == {1}
