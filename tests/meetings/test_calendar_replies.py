"""Accept / Decline clicked in Outlook, Google or Apple reaches the workspace
(issue 13): replies placed in a real IMAP mailbox (Dovecot on loopback) are on
the roster after one pass of the reply reader, the next invitation carries
them, and a reply that matches no invitation we sent changes nothing."""

import datetime
import os

import icalendar
import pytest
import vobject
from django.core.management import call_command
from django.urls import reverse
from imapclient import IMAPClient

from meetings import services
from meetings.mailbox import PROCESSED, QUARANTINE, read_replies
from meetings.models import Attendance, Delivery, MeetingEvent

from . import reply_mail
from .imap_server import DOVECOT, dovecot

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
REPLIES = "replies@workspace.test"
DECEMBER = datetime.datetime(2026, 12, 8, 15, tzinfo=UTC)  # 10:00 New York
FEBRUARY = datetime.datetime(2027, 2, 9, 15, tzinfo=UTC)


@pytest.fixture
def mailbox():
    if not os.path.exists(DOVECOT):
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail("dovecot-imapd is not installed (.ci/run installs it)")
        pytest.skip("dovecot-imapd is not installed")
    with dovecot(user=REPLIES) as box:
        yield box


@pytest.fixture
def sent(cast, series, settings, django_capture_on_commit_callbacks):
    """The series' invitations, sent (the reader matches replies against them)."""
    settings.MEETINGS_REPLY_ADDRESS = REPLIES
    with django_capture_on_commit_callbacks(execute=True):
        services.series_publish(series=series, by=cast.coordinator)
    assert Delivery.objects.filter(status="sent").count() == 2
    return series


def deliver(box, *messages: bytes) -> None:
    with IMAPClient("127.0.0.1", port=box.port, ssl=False, timeout=10) as client:
        client.login(box.user, box.password)
        for message in messages:
            client.append("INBOX", message)


def folders(box) -> dict[str, int]:
    with IMAPClient("127.0.0.1", port=box.port, ssl=False, timeout=10) as client:
        client.login(box.user, box.password)
        return {
            name: client.folder_status(name, ["MESSAGES"])[b"MESSAGES"]
            for name in ("INBOX", PROCESSED, QUARANTINE)
            if client.folder_exists(name)
        }


def partstats(calendar_text: str) -> dict:
    found = {}
    for event in icalendar.Calendar.from_ical(calendar_text).walk("VEVENT"):
        rid = event.get("RECURRENCE-ID")
        rid = rid.dt.astimezone(UTC) if rid else None
        attendees = event.get("ATTENDEE", [])
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            found[rid, str(attendee).removeprefix("mailto:")] = str(
                attendee.params["PARTSTAT"]
            )
    return found


def next_request(cast, series, email):
    services.series_update(series=series, by=cast.coordinator, location="Room 5")
    return (
        Delivery.objects.filter(series=series, email=email, method="REQUEST")
        .latest("pk")
        .calendar
    )


def state(series) -> tuple:
    """Everything a reply could change."""
    return (
        sorted(series.invitees.values_list("email", "response", "comment")),
        sorted(Attendance.objects.values_list("invitee__email", "response")),
        MeetingEvent.objects.filter(action="counter").count(),
    )


def test_invitations_name_the_reply_mailbox_with_the_coordinator_as_sender(cast, sent):
    calendar = Delivery.objects.filter(method="REQUEST").first().calendar
    [event] = icalendar.Calendar.from_ical(calendar).walk("VEVENT")
    organizer = event["ORGANIZER"]
    assert str(organizer) == f"mailto:{REPLIES}"
    assert organizer.params["SENT-BY"] == f"mailto:{cast.coordinator.email}"
    assert organizer.params["CN"] == cast.coordinator.get_full_name()
    parsed = vobject.readOne(calendar)
    assert parsed.vevent.organizer.value == f"mailto:{REPLIES}"
    assert parsed.vevent.organizer.params["SENT-BY"] == [
        f"mailto:{cast.coordinator.email}"
    ]


def test_without_a_reply_mailbox_the_organizer_is_the_sender_and_nothing_is_read(
    cast, series, settings, capsys
):
    settings.MEETINGS_REPLY_ADDRESS = ""
    settings.MEETINGS_IMAP_URL = ""
    calendar = services.series_calendar(series)
    [event] = calendar.walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:workspace@localhost"
    assert "SENT-BY" not in event["ORGANIZER"].params
    assert read_replies() == {}
    call_command("read_replies")
    assert "answers come through the RSVP links only" in capsys.readouterr().out


def test_an_outlook_accept_is_on_the_roster_after_one_pass_and_in_the_next_request(
    cast, sent, mailbox, client_for
):
    deliver(
        mailbox,
        reply_mail.outlook(
            uid=sent.uid,
            sender=cast.partner.email,
            name="Priya Nair",
            start=DECEMBER,
            comment="See you there",
        ),
    )
    assert read_replies(url=mailbox.url) == {"recorded": 1}
    assert folders(mailbox) == {"INBOX": 0, PROCESSED: 1, QUARANTINE: 0}
    meeting = services.occurrence_for(sent, "20261208T150000Z")
    page = client_for(cast.coordinator).get(
        reverse("meetings:meeting", args=[meeting.pk])
    )
    [coming] = [
        people for answer, _, people in page.context["roster"] if answer == "accepted"
    ]
    assert [(i.email, note) for i, note in coming] == [
        (cast.partner.email, "See you there")
    ]
    assert "See you there" in page.text
    sent_now = partstats(next_request(cast, sent, cast.partner.email))
    assert sent_now[None, cast.partner.email] == "ACCEPTED"
    assert sent_now[None, "ana@pantry.example"] == "NEEDS-ACTION"
    # A second pass finds nothing new.
    assert read_replies(url=mailbox.url) == {}


def test_a_google_decline_for_one_date_counts_for_that_date_once(cast, sent, mailbox):
    ana = sent.invitees.get(email="ana@pantry.example")
    services.rsvp_record(invitee=ana, meeting=None, response="accepted")
    deliver(
        mailbox,
        reply_mail.google(
            uid=sent.uid,
            sender="ana@pantry.example",
            name="Ana Costa",
            start=DECEMBER,
            recurrence_id=DECEMBER,
        ),
    )
    assert read_replies(url=mailbox.url) == {"recorded": 1}
    ana.refresh_from_db()
    assert ana.response == "accepted"
    december = sent.meetings.get(original_start=DECEMBER)
    assert Attendance.objects.get(invitee=ana).meeting == december
    assert services.answers(december, [ana])[ana.pk][0] == "declined"
    sent_now = partstats(next_request(cast, sent, "ana@pantry.example"))
    assert sent_now[None, "ana@pantry.example"] == "ACCEPTED"
    assert sent_now[DECEMBER, "ana@pantry.example"] == "DECLINED"


def test_an_apple_tentative_keeps_its_comment(cast, sent, mailbox):
    note = (
        "Je viendrai peut-être — après la réunion du conseil, vers 10 h 15 au plus tôt"
    )
    deliver(
        mailbox,
        reply_mail.apple(
            uid=sent.uid,
            sender="ana@pantry.example",
            name="Ana Costa",
            start=DECEMBER,
            comment=note,
        ),
    )
    assert read_replies(url=mailbox.url) == {"recorded": 1}
    ana = sent.invitees.get(email="ana@pantry.example")
    assert (ana.response, ana.comment) == ("tentative", note)


def test_a_reply_with_the_old_time_finds_its_date_after_the_series_moved(
    cast, sent, mailbox
):
    services.series_update(
        series=sent,
        by=cast.coordinator,
        start_local=datetime.datetime(2026, 10, 13, 14, 30),
    )
    deliver(
        mailbox,
        reply_mail.outlook(
            uid=sent.uid,
            sender=cast.partner.email,
            name="Priya Nair",
            partstat="DECLINED",
            start=FEBRUARY,
            recurrence_id=FEBRUARY,  # 10:00 on 9 February, as first invited
        ),
    )
    assert read_replies(url=mailbox.url) == {"recorded": 1}
    attendance = Attendance.objects.get()
    assert attendance.response == "declined"
    assert attendance.meeting.original_start == datetime.datetime(
        2027, 2, 9, 19, 30, tzinfo=UTC
    )


def test_forged_and_unmatched_replies_change_nothing(cast, sent, mailbox):
    before = state(sent)
    uid = sent.uid
    deliver(
        mailbox,
        # Someone not invited answers for an invitee.
        reply_mail.google(
            uid=uid, sender="mallory@evil.example", name="Ana Costa", start=DECEMBER
        ).replace(b"mailto:mallory@evil.example", b"mailto:ana@pantry.example", 1),
        # Someone not invited answers for themselves.
        reply_mail.outlook(
            uid=uid, sender="mallory@evil.example", name="Mallory", start=DECEMBER
        ),
        # A UID we never sent.
        reply_mail.apple(
            uid="made-up@elsewhere",
            sender="ana@pantry.example",
            name="Ana Costa",
            start=DECEMBER,
        ),
        # A date the series does not have.
        reply_mail.google(
            uid=uid,
            sender="ana@pantry.example",
            name="Ana Costa",
            start=DECEMBER,
            recurrence_id=DECEMBER + datetime.timedelta(days=1),
        ),
        # A person writing back in words.
        b"From: Ana Costa <ana@pantry.example>\r\nSubject: Re: Invitation\r\n\r\n"
        b"Yes, I will come.\r\n",
        # A calendar that cannot be read.
        b"From: ana@pantry.example\r\nContent-Type: text/calendar; method=REPLY\r\n"
        b"\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n",
    )
    counts = read_replies(url=mailbox.url)
    assert counts == {"set aside": 6}
    assert folders(mailbox) == {"INBOX": 0, PROCESSED: 0, QUARANTINE: 6}
    assert state(sent) == before


def test_a_removed_invitees_reply_changes_nothing(cast, sent, mailbox):
    ana = sent.invitees.get(email="ana@pantry.example")
    services.invitee_remove(invitee=ana, by=cast.coordinator)
    deliver(
        mailbox,
        reply_mail.outlook(
            uid=sent.uid, sender="ana@pantry.example", name="Ana", start=DECEMBER
        ),
    )
    assert read_replies(url=mailbox.url) == {"set aside": 1}
    ana.refresh_from_db()
    assert ana.response == "needs-action"


def test_a_proposed_new_time_is_shown_to_the_coordinator_only(
    cast, sent, mailbox, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    proposed = (
        datetime.datetime(2026, 12, 9, 16, tzinfo=UTC),
        datetime.datetime(2026, 12, 9, 17, tzinfo=UTC),
    )
    deliver(
        mailbox,
        reply_mail.outlook(
            uid=sent.uid,
            sender=cast.partner.email,
            name="Priya Nair",
            partstat="TENTATIVE",
            start=DECEMBER,
            recurrence_id=DECEMBER,
            counter=proposed,
            comment="Wednesday suits us better",
        ),
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert read_replies(url=mailbox.url) == {"proposed": 1}
    [told] = mailoutbox
    assert told.to == [cast.coordinator.email]
    assert told.subject == "Another time proposed: Monthly shared-participant review"
    assert "proposes Wednesday 9 December 2026, 11:00 (New York time)" in told.body
    assert "Nothing has moved." in told.body
    series_url = reverse("meetings:series", args=[sent.pk])
    page = client_for(cast.coordinator).get(series_url)
    assert "Proposed new times" in page.text
    assert (
        "Priya Nair &lt;partner@example.org&gt; proposes Wednesday 9 December 2026, "
        "11:00 (New York time) to 12:00 (New York time) for Tuesday 8 December 2026, "
        "10:00 (New York time): “Wednesday suits us better”"
    ) in page.text
    meeting = sent.meetings.get(original_start=DECEMBER)
    assert (
        "Wednesday suits us better"
        in client_for(cast.coordinator)
        .get(reverse("meetings:meeting", args=[meeting.pk]))
        .text
    )
    assert "Proposed new times" not in client_for(cast.partner).get(series_url).text
    # A proposal is not an answer, and moves nothing.
    assert not Attendance.objects.filter(response="tentative").exists()
    assert meeting.start == DECEMBER


def test_the_read_replies_command_reads_the_configured_mailbox(
    cast, sent, mailbox, settings, capsys
):
    settings.MEETINGS_IMAP_URL = mailbox.url
    deliver(
        mailbox,
        reply_mail.google(
            uid=sent.uid,
            sender="ana@pantry.example",
            name="Ana Costa",
            partstat="ACCEPTED",
            start=DECEMBER,
        ),
    )
    call_command("read_replies")
    assert "Calendar replies: 1 recorded" in capsys.readouterr().out
    assert sent.invitees.get(email="ana@pantry.example").response == "accepted"
