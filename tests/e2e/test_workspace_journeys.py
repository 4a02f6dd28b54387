"""Each role, from the login page and the home page only, reaches every one of
its next steps by clicking; the main pages have no axe-core violations; home,
MOU and dashboard are photographed at desktop and phone widths and never
scroll sideways on a phone.

Runs on the demo data, so what is checked is what a new user meets."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page

from mou.default_template import ensure_default_template
from mou.models import MOU
from partnerships import services
from partnerships.models import Organisation, Partnership

# The demo data leans on rows the migrations create (the site's pages, the
# default MOU template): put them back after each test's flush.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTEFACTS = Path(os.environ.get("E2E_ARTEFACTS", "test-results")) / "screens"
AXE_PACKAGE = "axe-core@4.14.1"
PASSWORD = "partnership"  # every demo account's
# Workspace pages end " - Partnership workspace" (Wagtail's own separator),
# the public pages (an invitation to accept) " · Partnership workspace".
TITLE = re.compile(r".+ [-·] Partnership workspace$")

# Where each kind of step must land: a piece of the page's title.
LANDS_ON = {
    "referral.inbox": "Referral inbox",
    "mou.sign": "Sign: ",
    "meeting.upcoming": "Monthly shared-participant review",
    "learning.decide": "Families dropped out",
    "leadership.overdue": "Leadership dashboard",
    "partnerships.accept_invitation": "Eastside Family Support Partnership",
}


@pytest.fixture
def demo(live_server):
    # Rows a fresh installation has from its migrations, which a transactional
    # test before this one may have emptied.
    ensure_default_template()
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    eastside = Partnership.objects.get(name="Eastside Family Support Partnership")
    # An outside invitee: Lakeshore's administrator, asked to join Eastside.
    outsider = services.invitation_create(
        partnership=eastside,
        organisation=Organisation.objects.get(name="Lakeshore Youth Center"),
        email="outsider@example.org",
        role="member",
        by=get_user_model().objects.get(username="coordinator"),
    )
    person = get_user_model().objects.get(username="outsider")
    person.email = "outsider@example.org"
    person.save()
    services.invitation_approve(invitation=outsider, by=person)
    return eastside


def _log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def _steps(page):
    return page.locator("[data-next-steps] li")


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("coordinator", {"referral.inbox", "responsibility.due", "learning.decide"}),
        ("partner", {"referral.inbox", "responsibility.due"}),
        ("housing", {"mou.sign", "referral.inbox", "responsibility.due"}),
        ("leader", {"leadership.overdue"}),
        ("outsider", {"partnerships.accept_invitation"}),
    ],
    ids=["coordinator", "partner member", "signatory", "leadership", "invitee"],
)
def test_each_role_reaches_its_next_steps_from_the_home_page(
    demo, page, live_server, username, expected
):
    _log_in(page, live_server, username)
    count = _steps(page).count()
    kinds = [_steps(page).nth(i).get_attribute("data-kind") for i in range(count)]
    assert expected <= set(kinds), kinds
    for index, kind in enumerate(kinds):
        step = _steps(page).nth(index)
        named = re.search("“(.+?)”", step.inner_text())
        step.locator("a").click()
        page.wait_for_load_state()
        expect(page).to_have_title(TITLE)
        if kind in LANDS_ON:
            assert LANDS_ON[kind] in page.title(), (kind, page.title())
        elif kind == "responsibility.due" and named:
            # The page of the very responsibility the step names.
            assert page.title().startswith(named.group(1)), (kind, page.title())
        assert "Page not found" not in page.content()
        # Back home the way a person would: the browser's back button.
        page.go_back()
        page.wait_for_url(f"{live_server.url}/admin/")
    if "partnerships.accept_invitation" in kinds:
        page.locator("[data-kind='partnerships.accept_invitation'] a").click()
        page.get_by_role("button", name=re.compile("Accept|Join")).click()
        expect(page).to_have_title(re.compile("^Eastside Family Support Partnership"))


@pytest.fixture(scope="session")
def axe_script():
    """axe-core from npm, installed once beside the project (var/ is ignored)."""
    folder = Path(__file__).resolve().parents[2] / "var" / "e2e-tools"
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            result = subprocess.CompletedProcess([], 1, "", "npm is not installed")
        else:
            result = subprocess.run(  # noqa: S603 - fixed arguments
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder)]
                + [AXE_PACKAGE],
                capture_output=True,
                text=True,
                check=False,
            )
        if result.returncode or not script.exists():
            message = f"could not install axe-core from npm: {result.stderr[-500:]}"
            if os.environ.get("E2E_REQUIRED") == "1":
                pytest.fail(message)
            pytest.skip(message)
    return str(script)


def _violations(page, axe_script):
    page.add_script_tag(path=axe_script)
    return page.evaluate(
        """async () => (await axe.run()).violations.map(v =>
            `${v.id} (${v.impact}): `
            + v.nodes.map(n => n.target.join(" ")).join(", "))"""
    )


def _no_sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"
    )


def test_main_pages_pass_axe_and_fit_a_phone(demo, page, live_server, axe_script):
    mou = MOU.objects.get(partnership=demo, version=2)
    meeting = demo.meeting_series.first().meetings.order_by("start").first()
    pages = {
        "home": "/admin/",
        "partnership": demo.get_absolute_url(),
        "mou": mou.get_absolute_url(),
        "meeting": meeting.get_absolute_url(),
        "referral form": f"/admin/referrals/partnership/{demo.pk}/new/",
        "dashboard": "/admin/accountability/dashboard/",
    }
    problems = []
    _log_in(page, live_server, "coordinator")
    for name, url in pages.items():
        page.goto(live_server.url + url)
        problems += [f"{name}: {v}" for v in _violations(page, axe_script)]
    _log_in(page, live_server, "housing")
    page.goto(f"{live_server.url}/admin/mou/{mou.pk}/sign/")
    problems += [f"sign form: {v}" for v in _violations(page, axe_script)]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/find-help/")
    problems += [f"find help: {v}" for v in _violations(page, axe_script)]
    assert not problems, "\n".join(problems)

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    _log_in(page, live_server, "coordinator")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name in ("home", "mou", "dashboard"):
            page.goto(live_server.url + pages[name])
            page.screenshot(path=str(ARTEFACTS / f"{name}-{width}.png"), full_page=True)
            if width == 390:
                assert _no_sideways_scroll(page), f"{name} scrolls sideways at 390 px"
    assert (ARTEFACTS / "mou-390.png").stat().st_size > 10_000
