import pytest
from playwright.sync_api import expect

from referrals import services as referral_services
from referrals.models import Referral

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_referral_goes_round_the_loop_and_stays_between_two_partners(
    cast, page, live_server, login
):
    referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Families facing eviction.",
        steps="Ask consent, then refer.",
        fields=[
            {"name": "need", "label": "Housing need", "type": "text", "required": True}
        ],
        consent_required=True,
        consent_text="The client agrees to share their initials and need.",
    )
    base = live_server.url
    login("coordinator")
    page.goto(f"{base}/admin/referrals/partnership/{cast.eastside.pk}/")
    page.get_by_role("link", name="Make a referral").click()
    page.select_option("select[name=receiver]", label="Riverside Health Clinic")
    page.fill("input[name=local_reference]", "NS-204")
    page.fill("input[name=initials]", "JD")
    page.fill("input[name=birth_year]", "1988")
    page.fill("input[name=field_need]", "Eviction notice received")
    page.check("input[name=consent_given]")
    page.fill("input[name=consent_by]", "The client, in person")
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_text("Referral sent to Riverside Health Clinic")).to_be_visible()
    url = page.url

    login("partner")
    page.goto(url)
    page.select_option("#move-status", "accepted")
    page.get_by_role("button", name="Update status").click()
    page.select_option("#move-status", "completed")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("[data-referral-status]")).to_have_attribute(
        "data-referral-status", "completed"
    )
    page.fill("textarea[name=feedback]", "Family kept their home.")
    page.select_option("select[name=satisfaction]", "5")
    page.get_by_role("button", name="Send feedback and close the loop").click()

    login("coordinator")
    page.goto(url)
    expect(page.locator("[data-loop=closed]")).to_be_visible()
    expect(page.locator("[data-feedback]")).to_contain_text("Family kept their home.")

    login("housing")
    response = page.goto(url)
    assert response.status == 404
    page.goto(f"{base}/admin/referrals/partnership/{cast.eastside.pk}/")
    expect(page.get_by_text("NS-204")).to_have_count(0)
    assert Referral.objects.get().loop_closed_at is not None
