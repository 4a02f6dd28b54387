import datetime
import io

import pytest
from django.core.management import call_command

from accountability import services as accountability_services
from partnerships.models import Reminder

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2027, 3, 10)


@pytest.fixture
def due_items(cast):
    def make(title, due, **extra):
        return accountability_services.responsibility_create(
            partnership=cast.eastside,
            by=cast.coordinator,
            title=title,
            owner=cast.riverside,
            due_date=due,
            **extra,
        )

    return {
        "soon": make(
            "Soon", TODAY + datetime.timedelta(days=2), owner_person=cast.partner
        ),
        "late": make("Late", TODAY - datetime.timedelta(days=1)),
        "very late": make("Very late", TODAY - datetime.timedelta(days=9)),
        "far": make("Far away", TODAY + datetime.timedelta(days=30)),
    }


def tick(today):
    with_callbacks = accountability_services.responsibility_reminders_send(today=today)
    return with_callbacks


def test_each_reminder_goes_out_once_through_smtp(
    cast, due_items, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = tick(TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = tick(TODAY)
    assert first == {"due_soon": 1, "overdue": 2, "escalated": 1}
    assert second == {"due_soon": 0, "overdue": 0, "escalated": 0}
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == [
        "9 days overdue in Eastside Family Support Partnership: Very late",
        "Due 12 Mar: Soon",
        "Overdue: Late",
        "Overdue: Very late",
    ]
    # A named person hears about their own; otherwise the organisation's points
    # of contact (the partner is Riverside's).
    [soon] = [m for m in smtp.messages if m["Subject"] == "Due 12 Mar: Soon"]
    assert soon.envelope_to == [cast.partner.email]
    [late] = [m for m in smtp.messages if m["Subject"] == "Overdue: Late"]
    assert late.envelope_to == [cast.partner.email]
    assert "is due on Friday 12 March 2027" in smtp.text(soon)
    [escalation] = [m for m in smtp.messages if "days overdue" in m["Subject"]]
    assert escalation.envelope_to == [cast.coordinator.email]
    assert "Owner: Riverside Health Clinic" in smtp.text(escalation)
    assert Reminder.objects.count() == 4


def test_escalation_waits_for_the_partnerships_own_threshold(cast, due_items):
    cast.eastside.escalation_days = 10
    cast.eastside.save()
    assert tick(TODAY)["escalated"] == 0
    assert tick(TODAY + datetime.timedelta(days=1))["escalated"] == 1


def test_done_responsibilities_get_no_reminders(cast, due_items):
    accountability_services.responsibility_report(
        responsibility=due_items["late"], by=cast.partner, status="done"
    )
    assert tick(TODAY)["overdue"] == 1


def test_a_recurring_item_is_reminded_again_for_its_next_occurrence(cast):
    responsibility = accountability_services.responsibility_create(
        partnership=cast.eastside,
        by=cast.coordinator,
        title="Monthly list",
        owner=cast.riverside,
        due_date=TODAY - datetime.timedelta(days=1),
        cadence="monthly",
    )
    assert tick(TODAY)["overdue"] == 1
    accountability_services.responsibility_report(
        responsibility=responsibility, by=cast.partner, status="done"
    )
    next_month = TODAY + datetime.timedelta(days=31)
    assert tick(next_month)["overdue"] == 1


def test_the_tick_command_reports_what_it_sent(cast, due_items):
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "Reminders sent:" in out.getvalue()
