"""One way to change a meeting's state: every transition allowed from its sources
and refused from every other state, each allowed move recorded exactly once, and
two people closing the same minutes at once closing them once."""

import contextlib
import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms.models import model_to_dict
from django.urls import reverse
from wagtail.models import ModelLogEntry

from meetings import services
from meetings.models import Delivery, Meeting, MeetingEvent, MeetingSeries
from meetings.services import lifecycle

from ..concurrency import run_together

State = Meeting.State
OCTOBER = "20261013T140000Z"  # the series' first occurrence, in UTC


def _move(cast, meeting):
    return services.meeting_move(
        meeting=meeting,
        by=cast.coordinator,
        start_local=datetime.datetime(2026, 10, 14, 9, 0),
    )


# Each transition: the service that makes it, the states it may start from, the
# state it leads to, and its audit-log action.
TRANSITIONS = {
    "move": (_move, {State.SCHEDULED}, State.SCHEDULED, "meetings.move_meeting"),
    "cancel": (
        lambda cast, m: services.meeting_cancel(meeting=m, by=cast.coordinator),
        {State.SCHEDULED},
        State.CANCELLED,
        "meetings.cancel_meeting",
    ),
    "hold": (
        lambda cast, m: services.meeting_hold(meeting=m, by=cast.partner),
        {State.SCHEDULED},
        State.HELD,
        "meetings.hold_meeting",
    ),
    "close": (
        lambda cast, m: services.meeting_close(
            meeting=m, by=cast.partner, summary="Agreed the waiting-list plan."
        ),
        {State.HELD},
        State.CLOSED,
        "meetings.close_meeting",
    ),
}
CASES = [
    (name, state, state in TRANSITIONS[name][1])
    for name in TRANSITIONS
    for state in State.values
]


def meeting_in(cast, series, state) -> Meeting:
    """The series' October meeting, brought to `state` the only way there is."""
    meeting = services.occurrence_for(series, OCTOBER)
    if state == State.CANCELLED:
        services.meeting_cancel(meeting=meeting, by=cast.coordinator)
    if state in (State.HELD, State.CLOSED):
        services.meeting_hold(meeting=meeting, by=cast.coordinator)
    if state == State.CLOSED:
        services.meeting_close(meeting=meeting, by=cast.coordinator)
    return Meeting.objects.get(pk=meeting.pk)


def meeting_audit():
    return ModelLogEntry.objects.filter(action__startswith="meetings.")


def snapshot(meeting: Meeting) -> dict:
    row = Meeting.objects.get(pk=meeting.pk)
    series = MeetingSeries.objects.get(pk=meeting.series_id)
    return {
        "meeting": model_to_dict(row) | {"updated_at": row.updated_at},
        "sequence": series.sequence,
        "events": MeetingEvent.objects.count(),
        "audit": meeting_audit().count(),
        "deliveries": Delivery.objects.count(),
        "agenda": sorted(
            Meeting.objects.filter(series=series).values_list("pk", "agenda__pk")
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state", "allowed"), CASES)
def test_each_transition_runs_from_its_sources_only(
    cast, series, name, state, allowed, django_capture_on_commit_callbacks
):
    services.series_publish(series=series, by=cast.coordinator)
    meeting = meeting_in(cast, series, state)
    services.agenda_item_add(meeting=meeting, by=cast.partner, title="Waiting list")
    run, _, target, action = TRANSITIONS[name]
    before = snapshot(meeting)
    mail.outbox.clear()

    if not allowed:
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(ValidationError) as refused,
        ):
            run(cast, meeting)
        assert refused.value.messages == [lifecycle.REFUSALS[(name_of(name), state)]]
        # Refused: nothing changed, nothing recorded, nobody told.
        assert snapshot(meeting) == before
        assert mail.outbox == []
        return

    with django_capture_on_commit_callbacks(execute=True):
        run(cast, meeting)
    meeting.refresh_from_db()
    assert meeting.state == target
    [event] = MeetingEvent.objects.filter(meeting=meeting).order_by("-pk")[:1]
    assert (event.action, event.from_state, event.to_state) == (
        name_of(name),
        state,
        target,
    )
    assert MeetingEvent.objects.count() == before["events"] + 1
    assert meeting_audit().count() == before["audit"] + 1
    assert meeting_audit().order_by("-pk").first().action == action


def name_of(service_name: str) -> str:
    """The model transition behind a service (moving is `reschedule`)."""
    return {"move": "reschedule"}.get(service_name, service_name)


@pytest.mark.django_db
def test_the_model_declares_exactly_these_transitions():
    declared = {
        (t.name, t.source, t.target)
        for t in Meeting._meta.get_field("state").get_all_transitions(Meeting)
    }
    assert declared == {
        ("reschedule", State.SCHEDULED, State.SCHEDULED),
        ("cancel", State.SCHEDULED, State.CANCELLED),
        ("hold", State.SCHEDULED, State.HELD),
        ("close", State.HELD, State.CLOSED),
    }


@pytest.mark.django_db
def test_the_state_cannot_be_assigned(cast, series):
    meeting = services.occurrence_for(series, OCTOBER)
    with pytest.raises(AttributeError):
        meeting.state = State.CLOSED


@pytest.mark.django_db
def test_closing_records_the_minutes_carries_over_and_mails_attendees(
    cast, series, django_capture_on_commit_callbacks
):
    meeting = services.occurrence_for(series, OCTOBER)
    services.agenda_item_add(meeting=meeting, by=cast.partner, title="Staffing")
    services.meeting_hold(meeting=meeting, by=cast.partner)
    services.attendance_mark(
        meeting=meeting,
        by=cast.partner,
        present={series.invitees.get(email=cast.partner.email).pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.meeting_close(meeting=meeting, by=cast.partner, summary="Ok")
    assert closed.summary == "Ok" and closed.held_at is not None
    following = series.meetings.exclude(pk=meeting.pk).get()
    assert [i.title for i in following.agenda.all()] == ["Staffing"]
    assert [m.to for m in mail.outbox] == [[cast.partner.email]]


@pytest.mark.django_db
def test_invitations_are_sent_once(cast, series, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.series_publish(series=series, by=cast.coordinator) == 2
    before = (Delivery.objects.count(), MeetingEvent.objects.count())
    with pytest.raises(ValidationError, match="already been sent"):
        services.series_publish(series=series, by=cast.coordinator)
    assert (Delivery.objects.count(), MeetingEvent.objects.count()) == before
    [event] = MeetingEvent.objects.filter(meeting=None)
    assert (event.action, event.from_state, event.to_state) == (
        "publish",
        "draft",
        "published",
    )


@pytest.mark.django_db
def test_a_refused_move_in_the_browser_says_what_to_do(cast, series, client_for):
    meeting = services.occurrence_for(series, OCTOBER)
    response = client_for(cast.partner).post(
        reverse("meetings:state", args=[meeting.pk, "close"]), follow=True
    )
    assert "Mark the meeting as held before closing its minutes." in response.text
    meeting.refresh_from_db()
    assert meeting.state == State.SCHEDULED
    assert not MeetingEvent.objects.filter(meeting=meeting).exists()


# -- two people at once, on PostgreSQL (row locks are real there) ---------------


def hold_after_the_check(monkeypatch, *, patience: float = 3.0) -> None:
    """Force the interleaving the row lock must prevent: each closer, having seen
    the meeting held, waits there for the other. Without the lock both arrive
    and both go on to close; with it the second is still waiting for the row, so
    the first gives up waiting after `patience` seconds and commits, and the
    second then finds the meeting closed."""
    both_checked = threading.Barrier(2, timeout=patience)

    def wait_for_the_other(meeting):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()

    monkeypatch.setattr(lifecycle, "_transition_checked", wait_for_the_other)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locking"
)
def test_two_people_closing_at_once_close_once(cast, series, monkeypatch):
    meeting = services.occurrence_for(series, OCTOBER)
    services.agenda_item_add(meeting=meeting, by=cast.partner, title="Staffing")
    services.meeting_hold(meeting=meeting, by=cast.partner)
    services.attendance_mark(
        meeting=meeting,
        by=cast.partner,
        present={series.invitees.get(email=cast.partner.email).pk},
    )
    hold_after_the_check(monkeypatch)
    mail.outbox.clear()

    def closer(user, summary):
        return lambda: services.meeting_close(
            meeting=Meeting.objects.get(pk=meeting.pk), by=user, summary=summary
        )

    results = run_together(
        closer(cast.partner, "From Priya"), closer(cast.coordinator, "From Sam")
    )
    closed = [r for r in results if isinstance(r, Meeting)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(closed) == 1 and len(refused) == 1, results
    assert refused[0].messages == [lifecycle.REFUSALS[("close", State.CLOSED)]]
    meeting.refresh_from_db()
    assert meeting.state == State.CLOSED
    assert meeting.summary == closed[0].summary
    assert MeetingEvent.objects.filter(meeting=meeting, action="close").count() == 1
    assert meeting_audit().filter(action="meetings.close_meeting").count() == 1
    # The unfinished item is carried over once, and the minutes go out once.
    following = series.meetings.exclude(pk=meeting.pk).get()
    assert [i.title for i in following.agenda.all()] == ["Staffing"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locking"
)
def test_two_coordinators_sending_invitations_at_once_send_them_once(
    cast, series, monkeypatch
):
    hold_after_the_check(monkeypatch)
    mail.outbox.clear()

    def publisher():
        return lambda: services.series_publish(
            series=MeetingSeries.objects.get(pk=series.pk), by=cast.coordinator
        )

    results = run_together(publisher(), publisher())
    sent = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert sent == [2] and len(refused) == 1, results
    assert "already been sent" in refused[0].messages[0]
    assert Delivery.objects.count() == 2
    assert MeetingEvent.objects.filter(action="publish").count() == 1
