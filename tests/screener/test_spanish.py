"""English and Spanish: the screener, its results and Find help, with a
language switch that the visitor's next pages remember."""

import pytest
from django.urls import reverse

from ..factories import DirectoryServiceFactory

pytestmark = pytest.mark.django_db


def test_the_screener_and_its_results_in_spanish(questionnaire, client):
    DirectoryServiceFactory(
        name="Tenant rescue fund", category="housing", languages="English, Spanish"
    )
    page = client.get(reverse("screener:start"), {"lang": "es"})
    assert "¿Qué ayuda necesita?" in page.text
    assert "¿Le preocupa perder su vivienda?" in page.text
    assert '<html lang="es">' in page.text
    # The choice is remembered: the next page needs no ?lang=.
    bad = client.post(reverse("screener:start"), {"zip": "11", "housing": "yes"})
    assert "El código postal tiene cinco dígitos" in bad.text
    done = client.post(
        reverse("screener:start"), {"zip": "01101", "housing": "yes", "language": "es"}
    )
    results = client.get(done["Location"])
    assert "Servicios para usted" in results.text
    assert "Ayuda con: Vivienda" in results.text
    assert "Habla Español" in results.text
    # And back to English with the switch.
    english = client.get(done["Location"] + "&lang=en")
    assert "Helps with: Housing" in english.text


def test_the_language_switch_links_to_the_same_page_in_the_other_language(
    questionnaire, client
):
    page = client.get(reverse("screener:start"))
    assert 'href="?lang=es"' in page.text and "Español" in page.text
    spanish = client.get(reverse("screener:start"), {"lang": "es"})
    assert 'href="?lang=en"' in spanish.text


def test_find_help_in_spanish(client):
    from wagtail.models import Page, Site

    from cms.models import DirectoryPage, HomePage

    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root")
    )
    home = root.add_child(instance=HomePage(title="Home", slug="home-es"))
    page = home.add_child(instance=DirectoryPage(title="Find help", slug="find-help"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "port": 80},
    )
    DirectoryServiceFactory(name="Rent assistance fund", category="housing")
    response = client.get(page.url, {"lang": "es", "q": "rent"})
    assert "<h1>Buscar ayuda</h1>" in response.text
    assert "lunes a viernes, 09:00–17:00" in response.text
    assert "Vivienda" in response.text
    empty = client.get(page.url, {"q": "zzqx"})
    assert "Todavía no hay servicios que coincidan" in empty.text
