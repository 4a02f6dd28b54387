"""Every workspace page says where you are: a browser-tab title naming what it
shows, one h1, a breadcrumb trail ending in that object, and, when a form comes
back with problems, a summary at the top linking to each field."""

import os
from collections import deque

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from mou.models import MOU
from partnerships.models import Partnership

SUFFIX = " - Partnership workspace"
SKIP = (".docx", ".pdf", ".ics", ".csv", ".xlsx", ".svg", ".png", ".json")


@pytest.fixture
def demo(db):
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return Partnership.objects.get(name="Eastside Family Support Partnership")


def _page(client, url):
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response["Content-Type"]:
        return None
    return BeautifulSoup(response.content, "html.parser")


def _walk(client, limit=45):
    """The workspace pages reachable by links from the home page."""
    queue, seen, pages = deque(["/admin/"]), set(), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        soup = _page(client, url)
        if soup is None:
            continue
        pages[url] = soup
        for link in soup.select("main a[href^='/admin/'], nav a[href^='/admin/']"):
            href = link["href"].split("#")[0].split("?")[0]
            if href.endswith(SKIP) or "/delete" in href or "logout" in href:
                continue
            if href.startswith("/admin/") and href.count("/") > 2:
                queue.append(href)
    return pages


def test_every_workspace_page_names_what_it_shows_with_one_h1(demo, client, users):
    client.force_login(users.get(username="coordinator"))
    pages = _walk(client)
    assert len(pages) > 25
    for url, soup in pages.items():
        title = " ".join(soup.title.get_text().split())
        assert title.endswith(SUFFIX), (url, title)
        assert title[: -len(SUFFIX)].strip(), f"{url} has an empty title"
        assert len(soup.find_all("h1")) == 1, f"{url} has {len(soup('h1'))} h1"
        # The tabs are links to sections, not an ARIA tab widget.
        assert not soup.select("a[aria-selected]:not([role=tab])"), url


def test_titles_name_the_object_and_the_partnership(demo, client, users):
    client.force_login(users.get(username="housing"))
    mou = MOU.objects.get(partnership=demo, version=2)

    def title(url):
        return " ".join(_page(client, url).title.get_text().split())

    assert title(mou.get_absolute_url()) == f"{mou}{SUFFIX}"
    assert title(reverse("mou:sign", args=[mou.pk])) == f"Sign: {mou}{SUFFIX}"
    assert title(reverse("meetings:index", args=[demo.pk])) == (
        f"Meetings: {demo.name}{SUFFIX}"
    )
    assert title(demo.get_absolute_url()) == f"{demo.name}{SUFFIX}"
    # The trail ends in the object, not in the app's name.
    soup = _page(client, mou.get_absolute_url())
    trail = [" ".join(li.get_text().split()) for li in soup.select("nav ol li")]
    assert trail[-1] == str(mou)


def test_a_form_with_problems_lists_them_at_the_top_with_links(demo, client, users):
    client.force_login(users.get(username="coordinator"))
    before = demo.participations.count()
    # What a browser sends when the form is submitted empty.
    blank = {"organisation": "", "new_organisation": "", "email": "", "message": ""}
    response = client.post(reverse("partnerships:invite", args=[demo.pk]), blank)
    soup = BeautifulSoup(response.content, "html.parser")
    summary = soup.select_one("[data-error-summary]")
    assert summary is not None and summary["role"] == "alert"
    assert summary.get("tabindex") == "-1"  # focus moves there (workspace.js)
    assert "nothing was saved" in summary.get_text()
    links = summary.select("a[href^='#']")
    assert links, "each field's problem links to the field"
    for link in links:
        assert soup.find(id=link["href"][1:]) is not None, link["href"]
    assert soup.select(".w-required-mark")
    assert demo.participations.count() == before
