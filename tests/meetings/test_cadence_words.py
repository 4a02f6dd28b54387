"""A series' rule in words, on screen and in mail (issue 13): people read
'Monthly on the second Tuesday', never FREQ=MONTHLY;BYDAY=2TU."""

import datetime

import pytest
from django.urls import reverse

from meetings import services
from meetings.recurrence import describe

TUESDAY = datetime.datetime(2026, 10, 13, 10, 0)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=MONTHLY;BYDAY=2TU", "Monthly on the second Tuesday, 10:00"),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE;COUNT=4",
            "Every 3 months on the first Wednesday, 10:00, 4 meetings",
        ),
        ("FREQ=MONTHLY;BYDAY=-1FR", "Monthly on the last Friday, 10:00"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Weekly on Monday to Friday, 10:00"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,MO",
            "Every 2 weeks on Monday and Wednesday, 10:00",
        ),
        ("FREQ=WEEKLY", "Weekly on Tuesday, 10:00"),
        ("FREQ=MONTHLY;BYMONTHDAY=31", "Monthly on the 31st, 10:00"),
        ("FREQ=MONTHLY;BYMONTHDAY=22;COUNT=1", "Monthly on the 22nd, 10:00, 1 meeting"),
        ("FREQ=MONTHLY", "Monthly on the 13th, 10:00"),
        ("FREQ=YEARLY", "Yearly on 13 October, 10:00"),
        ("FREQ=DAILY;INTERVAL=2", "Every 2 days, 10:00"),
        (
            "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270630T235959",
            "Monthly on the second Tuesday, 10:00, until 30 June 2027",
        ),
    ],
)
def test_rules_read_as_people_say_them(rule, words):
    assert describe(rule, TUESDAY) == words


def test_the_time_span_and_zone_are_named():
    assert describe(
        "FREQ=MONTHLY;BYDAY=2TU", TUESDAY, minutes=90, zone="New York time"
    ) == ("Monthly on the second Tuesday, 10:00–11:30 New York time")


@pytest.mark.django_db
def test_the_series_page_and_the_invitation_say_it_in_words(
    cast, series, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    words = "Monthly on the second Tuesday, 10:00–11:00 New York time, 8 meetings"
    client = client_for(cast.partner)
    for url in (
        series.get_absolute_url(),
        reverse("meetings:index", args=[cast.eastside.pk]),
    ):
        page = client.get(url).text
        assert words in page, url
        assert "FREQ=" not in page, url
    with django_capture_on_commit_callbacks(execute=True):
        services.series_publish(series=series, by=cast.coordinator)
    message = mailoutbox[0]
    assert f"When: {words}, from Tuesday 13 October 2026" in message.body
    assert "FREQ=" not in message.body
    assert words in message.alternatives[0][0]
