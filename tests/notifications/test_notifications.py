"""Notifications by e-mail (issue 15): the right people hear of each event once,
over real SMTP, without client details, and as they chose: at once, in one
digest a day, or not at all."""

import datetime
import re

import pytest
from django.utils import timezone

from notifications.digest import digest_send
from notifications.forms import NotificationPreferencesForm
from notifications.models import NotificationPreference, OutgoingMail
from referrals import services as referral_services

pytestmark = pytest.mark.django_db
CLIENT_DETAILS = ("QZ", "1987", "Maplewood", "eviction", "N-1")


def at(hour: int, days: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def choose(user, kind: str, choice: str) -> None:
    form = NotificationPreferencesForm(
        dict.fromkeys(_kinds(), "immediately") | {kind: choice}, instance=user
    )
    assert form.is_valid(), form.errors
    form.save()


def _kinds():
    from notifications.kinds import KINDS

    return [kind.key for kind in KINDS]


def assert_no_client_details(message):
    # What a person reads: the subject and every text part, as words (MIME
    # boundaries and message ids are random digits that may hold "1987").
    text = "\n".join(
        [str(message["Subject"])]
        + [
            part.get_content()
            for part in message.walk()
            if part.get_content_type() in ("text/plain", "text/html")
        ]
    )
    for detail in CLIENT_DETAILS:
        assert not re.search(rf"\b{re.escape(detail)}\b", text), detail


def test_a_new_referral_tells_the_receiving_organisation_once_with_a_link(
    cast, refer, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer()
    assert [m.envelope_to for m in smtp.messages] == [[cast.partner.email]]
    [message] = smtp.messages
    assert "Riverside Health Clinic" in message["Subject"]
    assert referral.get_absolute_url() in smtp.text(message)
    assert_no_client_details(message)


def test_the_outcome_goes_back_to_the_sender(
    cast, refer, smtp, django_capture_on_commit_callbacks
):
    referral = refer()
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_move(
            referral=referral, by=cast.partner, status="accepted"
        )
    assert [m.envelope_to for m in smtp.messages] == [[cast.coordinator.email]]
    assert "accepted" in smtp.text(smtp.messages[0])
    assert_no_client_details(smtp.messages[0])


def test_someone_who_turned_a_kind_off_hears_nothing_of_it(
    cast, refer, smtp, django_capture_on_commit_callbacks
):
    choose(cast.partner, "referrals", "off")
    with django_capture_on_commit_callbacks(execute=True):
        refer()
    assert smtp.messages == []
    assert not OutgoingMail.objects.exists()


def test_the_digest_gathers_a_days_items_into_one_mail_once(
    cast, refer, smtp, django_capture_on_commit_callbacks
):
    choose(cast.partner, "referrals", "digest")
    with django_capture_on_commit_callbacks(execute=True):
        first = refer("N-1")
        second = refer("N-2")
        referral_services.referral_move(
            referral=first, by=cast.coordinator, status="cancelled", reason="Moved"
        )
    # Held, not sent; nothing goes before the digest hour.
    assert smtp.messages == []
    assert digest_send(now=at(6)) == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=at(8)) == 1
        assert digest_send(now=at(9)) == 0  # once a day, however often tick runs
    [digest] = smtp.messages
    assert digest.envelope_to == [cast.partner.email]
    assert "3 updates" in digest["Subject"]
    text = smtp.text(digest)
    assert text.count("A referral from Northside Family Services") == 3
    assert first.get_absolute_url() in text and second.get_absolute_url() in text
    assert "Referrals: a new one waiting" in text
    assert_no_client_details(digest)
    assert OutgoingMail.objects.filter(status="digested").count() == 3

    # Tomorrow, with nothing new, no digest.
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=at(8, days=1)) == 0
    assert len(smtp.messages) == 1


def test_the_digest_leaves_out_what_the_person_may_no_longer_see(
    cast, refer, smtp, django_capture_on_commit_callbacks
):
    choose(cast.partner, "referrals", "digest")
    refer()
    cast.partner.memberships.all().delete()  # left Riverside
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=at(8)) == 0
    assert smtp.messages == []
    assert OutgoingMail.objects.get().status == "withheld"


def test_each_person_chooses_per_kind_on_their_account_page(cast, client_for):
    page = client_for(cast.partner).get("/admin/account/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "E-mail notifications" in html
    assert "MOUs waiting for your signature" in html
    assert 'name="mail_notifications-referrals"' in html

    form = NotificationPreferencesForm(
        dict.fromkeys(_kinds(), "digest") | {"referrals": "off"}, instance=cast.partner
    )
    assert form.is_valid()
    form.save()
    chosen = dict(
        NotificationPreference.objects.filter(user=cast.partner).values_list(
            "kind", "choice"
        )
    )
    assert chosen["referrals"] == "off" and chosen["signatures"] == "digest"
    # The page shows what was chosen.
    html = client_for(cast.partner).get("/admin/account/").content.decode()
    assert re.search(
        r'name="mail_notifications-referrals" value="off"[^>]*checked', html
    )


def test_a_choice_that_is_not_offered_is_refused(cast):
    form = NotificationPreferencesForm(
        dict.fromkeys(_kinds(), "immediately") | {"referrals": "hourly"},
        instance=cast.partner,
    )
    assert not form.is_valid()
    assert "referrals" in form.errors
    assert not NotificationPreference.objects.exists()
