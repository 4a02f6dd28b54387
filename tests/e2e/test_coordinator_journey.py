"""The new coordinator's journey, counted: from the login page to a new
partnership with two partners, an MOU in signing, a monthly review series
invited and a logic model with one indicator and its target, in at most 60
actions (clicks and fields), without typing a URL after logging in.

What partners do in between (accepting their invitation) happens outside the
count, through the services, as it would in their own browsers."""

import pytest
from playwright.sync_api import expect

from logicmodels.models import Element
from meetings.models import MeetingSeries
from mou.default_template import ensure_default_template
from mou.models import MOU
from partnerships import services
from partnerships.models import Invitation, Partnership

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LIMIT = 60


class Counted:
    """A person's actions on the page, each counted once."""

    def __init__(self, page):
        self.page, self.actions = page, 0

    def click(self, locator):
        self.actions += 1
        locator.click()

    def fill(self, locator, value):
        self.actions += 1
        locator.fill(value)

    def choose(self, locator, **option):
        self.actions += 1
        locator.select_option(**option)

    def check(self, locator):
        self.actions += 1
        locator.check()


def _partners_accept(partnership, people):
    for person in people:
        invitation = Invitation.objects.get(partnership=partnership, email=person.email)
        if not invitation.is_approved:
            admin = invitation.organisation.memberships.filter(is_admin=True).first()
            services.invitation_approve(invitation=invitation, by=admin.user)
            invitation.refresh_from_db()
        services.invitation_accept(invitation=invitation, user=person)


def test_a_new_coordinator_sets_a_partnership_up_in_at_most_60_actions(
    cast, page, live_server
):
    ensure_default_template()
    for person, address in [
        (cast.signatory, "samuel@riverside.example"),
        (cast.housing, "dana@housing.example"),
    ]:
        person.email = address
        person.save()
    me = Counted(page)
    page.goto(f"{live_server.url}/admin/login/")
    me.fill(page.locator("input[name=username]"), "coordinator")
    me.fill(page.locator("input[name=password]"), "a-long-test-password")
    me.click(page.locator("button[type=submit]"))

    # A partnership with its two partners, in one form.
    me.click(page.get_by_role("link", name="Partnerships").first)
    me.click(page.get_by_role("link", name="New partnership"))
    me.fill(page.locator("input[name=name]"), "Westside Family Partnership")
    me.fill(page.locator("textarea[name=purpose]"), "Families get joined-up help.")
    me.choose(page.locator("select[name=partner_1]"), label="Riverside Health Clinic")
    me.fill(page.locator("input[name=partner_1_email]"), cast.signatory.email)
    me.choose(
        page.locator("select[name=partner_2]"), label="Eastside Housing Coalition"
    )
    me.fill(page.locator("input[name=partner_2_email]"), cast.housing.email)
    me.check(page.locator("input[name=coordinator_signs]"))
    me.click(page.get_by_role("button", name="Create partnership"))
    expect(page.get_by_text("is ready")).to_be_visible()
    partnership = Partnership.objects.get(name="Westside Family Partnership")
    assert partnership.participations.count() == 3
    _partners_accept(partnership, [cast.signatory, cast.housing])

    # The MOU, from the template, with each partner's part, into signing.
    sections = page.get_by_role("navigation", name="Partnership sections")
    me.click(sections.get_by_role("link", name="MOU"))
    me.click(page.get_by_role("button", name="Start from this template"))
    expect(page.get_by_text("MOU started from the template")).to_be_visible()
    mou = MOU.objects.get(partnership=partnership)
    roles = mou.sections.get(kind="roles")
    # One save gives each party its commitment ("Add another clause").
    me.click(page.locator(f"a[href$='/sections/{roles.pk}/']").first)
    for index, organisation in enumerate(
        [
            "Northside Family Services",
            "Riverside Health Clinic",
            "Eastside Housing Coalition",
        ]
    ):
        if index:
            me.click(page.get_by_role("button", name="Add another clause"))
        last = page.locator("fieldset").last
        me.fill(last.locator("textarea"), f"{organisation} refers within two days.")
        me.choose(last.locator("select").first, label=organisation)
    me.click(page.get_by_role("button", name="Save section"))
    expect(page.get_by_text("Roles and responsibilities” saved")).to_be_visible()
    assert roles.clauses.filter(responsible__isnull=False).count() >= 3
    me.click(page.get_by_role("button", name="Submit for review"))
    me.click(page.get_by_role("button", name="Open signing"))
    expect(page.get_by_text("Signing is open")).to_be_visible()

    # A monthly review series, invited.
    me.click(sections.get_by_role("link", name="Meetings"))
    me.click(page.get_by_role("link", name="New meeting series"))
    me.fill(page.locator("input[name=title]"), "Monthly review")
    me.fill(page.locator("input[name=start_date]"), "2027-01-12")
    me.fill(page.locator("input[name=start_time]"), "10:00")
    me.click(page.get_by_role("button", name="Save"))
    me.click(page.get_by_role("button", name="Send invitations"))
    expect(page.get_by_text("Invitations sent")).to_be_visible()

    # A logic model with one outcome, its indicator and a target.
    me.click(sections.get_by_role("link", name="Logic model"))
    me.fill(page.locator("input[name=title]"), "Families connected")
    me.click(page.get_by_role("button", name="Create"))
    form = page.locator("[data-element-form]")
    me.choose(form.locator("select[name=kind]"), value="short")
    me.fill(form.locator("input[name=text]"), "Families housed within 14 days")
    me.click(form.get_by_role("button", name="Add element"))
    form = page.locator("[data-indicator-form]")
    expect(page.get_by_text("Families housed within 14 days").first).to_be_visible()
    outcome = Element.objects.get(model__partnership=partnership, kind="short")
    me.choose(form.locator("select[name=element]"), value=str(outcome.pk))
    me.fill(form.locator("input[name=name]"), "Share housed within 14 days")
    me.choose(form.locator("select[name=responsible]"), label="Riverside Health Clinic")
    me.fill(form.locator("input[name=reporting_from]"), "2027-01-01")
    me.click(form.get_by_role("button", name="Add indicator"))
    me.fill(page.locator("[data-target-form] input[name=t-value]"), "70")
    me.click(page.get_by_role("button", name="Add target"))
    expect(page.get_by_text("Target added.")).to_be_visible()

    mou.refresh_from_db()
    assert mou.state == "signing"
    series = MeetingSeries.objects.get(partnership=partnership)
    assert series.invitees.exists()
    assert me.actions <= LIMIT, f"{me.actions} actions"
    print(f"coordinator journey: {me.actions} actions")
