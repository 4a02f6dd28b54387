"""The invitation e-mail as a mail program receives it (issue 13), through a
real SMTP server on loopback: UTF-8 calendars typed as iMIP expects, and plain
text that is not HTML-escaped."""

import datetime

import icalendar
import pytest
import vobject

from meetings import services

pytestmark = pytest.mark.django_db
TITLE = "Café review — São Paulo & Zürich"


@pytest.fixture
def accented(cast):
    return services.series_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title=TITLE,
        kind="shared_review",
        rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=3",
        start_local=datetime.datetime(2026, 10, 13, 10, 0),
        duration_minutes=60,
        tz="America/New_York",
        location="Café Zoë, São Paulo & Zürich room",
        invitees=[(None, "ana@pantry.example", "Ana Conceição")],
    )


@pytest.fixture
def invitation(cast, accented, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.series_publish(series=accented, by=cast.coordinator)
    [message] = smtp.to("ana@pantry.example")
    return message


def calendar_parts(message):
    return [p for p in message.walk() if p.get_content_type() == "text/calendar"]


def test_the_attached_invitation_is_utf8(invitation):
    [attached] = [p for p in invitation.walk() if p.get_filename() == "invite.ics"]
    data = attached.get_payload(decode=True)
    text = data.decode("utf-8")  # raises if it is not UTF-8
    assert "Café Zoë" in text and "Ana Conceição" in text
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == TITLE
    assert vobject.readOne(text).vevent.location.value.startswith("Café Zoë, São")


def test_both_calendars_are_text_calendar_with_the_method_and_one_charset(
    invitation,
):
    inline, attached = calendar_parts(invitation)
    for part in (inline, attached):
        header = part["Content-Type"]
        assert part.get_param("method") == "REQUEST", header
        assert header.lower().count("charset") == 1, header
        assert part.get_content_charset() == "utf-8"
    assert attached.get_param("name") == "invite.ics"
    assert attached.get_content_disposition() == "attachment"
    assert inline.get_content_disposition() is None
    assert inline.get_payload(decode=True) == attached.get_payload(decode=True)
    assert not [
        p for p in invitation.walk() if p.get_content_type() == "application/ics"
    ]


def test_plain_text_and_subject_are_not_html_escaped(invitation):
    assert invitation["Subject"].strip() == (
        f"Invitation: {TITLE} (Eastside Family Support Partnership)"
    )
    text = invitation.get_body(preferencelist=("plain",)).get_content()
    assert TITLE in text
    assert "Where: Café Zoë, São Paulo & Zürich room" in text
    assert "&amp;" not in text and "&#" not in text
    html = invitation.get_body(preferencelist=("html",)).get_content()
    assert "São Paulo &amp; Zürich" in html  # HTML stays escaped


def test_cancelling_one_date_names_it_in_plain_text(
    cast, accented, invitation, smtp, django_capture_on_commit_callbacks
):
    meeting = services.occurrence_for(accented, "20261110T150000Z")
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, by=cast.coordinator)
    cancel = smtp.to("ana@pantry.example")[-1]
    assert cancel["Subject"].strip() == f"Cancelled: {TITLE} on 10 November 2026"
    text = cancel.get_body(preferencelist=("plain",)).get_content()
    when = "Tuesday 10 November 2026, 10:00 (New York time)"
    assert f"The {TITLE} on {when} is cancelled" in text


def test_an_update_says_what_changed(
    cast, accented, invitation, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.series_update(
            series=accented,
            by=cast.coordinator,
            start_local=datetime.datetime(2026, 10, 13, 14, 30),
            location="Room 5",
        )
    update = smtp.to("ana@pantry.example")[-1]
    assert update["Subject"].strip().startswith("Updated: ")
    text = update.get_body(preferencelist=("plain",)).get_content()
    text = text.replace("\r\n", "\n")
    assert (
        "- When: Monthly on the second Tuesday, 10:00–11:00 New York time, "
        "3 meetings, from Tuesday 13 October 2026 → Monthly on the second "
        "Tuesday, 14:30–15:30 New York time, 3 meetings, from Tuesday 13 "
        "October 2026\n"
    ) in text
    assert "- Where: Café Zoë, São Paulo & Zürich room → Room 5\n" in text
    assert "Title:" not in text


def test_a_moved_date_says_from_when_to_when(
    cast, accented, invitation, smtp, django_capture_on_commit_callbacks
):
    meeting = services.occurrence_for(accented, "20261208T150000Z")
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_move(
            meeting=meeting,
            by=cast.coordinator,
            start_local=datetime.datetime(2026, 12, 9, 14, 0),
        )
    text = (
        smtp.to("ana@pantry.example")[-1]
        .get_body(preferencelist=("plain",))
        .get_content()
    )
    assert (
        "- The meeting on Tuesday 8 December 2026, 10:00 (New York time) moves to "
        "Wednesday 9 December 2026, 14:00 (New York time)."
    ) in text
