"""Defect 3: a partnership's history and overview never list referrals; those
events concern one client and are shown only to the two organisations."""

import pytest
from django.urls import reverse
from wagtail.log_actions import log

pytestmark = pytest.mark.django_db


def test_a_third_partner_reads_no_referral_in_history_or_overview(cast, client_for):
    # An entry as earlier versions wrote it, on the partnership itself.
    log(
        cast.eastside,
        "partnerships.refer",
        user=cast.partner,
        data={
            "sender": "Riverside Health Clinic",
            "receiver": "Northside Family Services",
        },
    )
    log(
        cast.eastside,
        "partnerships.referral_protocol",
        user=cast.coordinator,
        data={"version": 2},
    )
    client = client_for(cast.housing)
    for name in ("partnerships:history", "partnerships:detail"):
        page = client.get(reverse(name, args=[cast.eastside.pk]))
        assert page.status_code == 200
        assert "referred a client" not in page.text, name
    history = client.get(reverse("partnerships:history", args=[cast.eastside.pk]))
    # The protocol is the partnership's business and stays in its history.
    assert "version 2 of the referral protocol" in history.text
