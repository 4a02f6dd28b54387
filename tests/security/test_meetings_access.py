"""Issue 10, defects 10 and 8 (meetings): people who lost access stop getting
invitations, minutes, feeds and RSVP pages; leadership viewers change nothing."""

import datetime

import icalendar
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from meetings import services
from meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Delivery,
    FeedToken,
    Invitee,
    Meeting,
    MeetingSeries,
)
from partnerships import services as partnership_services

from ..meetings import conftest as standing

pytestmark = pytest.mark.django_db

# The app's standing fixtures, shared with tests/meetings.
series = standing.series

UTC = datetime.UTC


def _remove_riverside(cast):
    partnership_services.participation_remove(
        participation=cast.eastside_riverside, by=cast.coordinator
    )


def _deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])


def _first_meeting(series):
    occurrence = services.occurrences(
        series,
        start=datetime.datetime(2026, 10, 1, tzinfo=UTC),
        end=datetime.datetime(2026, 11, 1, tzinfo=UTC),
    )[0]
    return services.occurrence_for(series, occurrence.key)


def _rsvp_path(series, invitee):
    links = services.rsvp_links(series, invitee)
    return links["url"].removeprefix("http://testserver")


@pytest.fixture
def published(cast, series):
    services.series_publish(series=series, by=cast.coordinator)
    return series


# --- feeds ---------------------------------------------------------------


def test_a_deactivated_users_personal_feed_stops(cast, published, client):
    token = FeedToken.issue(user=cast.partner)
    url = reverse("meetings_feed", args=[token])
    assert client.get(url).status_code == 200
    _deactivate(cast.partner)
    response = client.get(url)
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content


def test_a_partnership_feed_stops_when_its_owner_loses_sight_of_the_partnership(
    cast, published, client
):
    token = FeedToken.issue(user=cast.partner, partnership=cast.eastside)
    url = reverse("meetings_feed", args=[token])
    assert published.uid.encode() in client.get(url).content
    _remove_riverside(cast)
    response = client.get(url)
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content
    assert cast.eastside.name.encode() not in response.content


def test_a_personal_feed_drops_series_of_a_partnership_the_user_can_no_longer_see(
    cast, published, client
):
    token = FeedToken.issue(user=cast.partner)
    url = reverse("meetings_feed", args=[token])
    before = icalendar.Calendar.from_ical(client.get(url).content)
    assert [str(e["UID"]) for e in before.walk("VEVENT")] == [published.uid]
    _remove_riverside(cast)
    response = client.get(url)
    assert response.status_code == 200  # the person is still active elsewhere
    after = icalendar.Calendar.from_ical(response.content)
    assert after.walk("VEVENT") == []
    assert published.title.encode() not in response.content


# --- RSVP links ----------------------------------------------------------


def _assert_withdrawn(client, path, invitee):
    page = client.get(path)
    assert page.status_code == 410
    assert "This invitation link no longer works" in page.text
    assert "Monthly shared-participant review" not in page.text
    answer = client.post(path, {"response": "accepted"})
    assert answer.status_code == 410
    assert not Attendance.objects.filter(invitee=invitee).exists()


def test_an_rsvp_link_stops_when_the_invitees_organisation_leaves(
    cast, published, client
):
    invitee = published.invitees.get(user=cast.partner)
    path = _rsvp_path(published, invitee)
    assert client.get(path).status_code == 200
    _remove_riverside(cast)
    _assert_withdrawn(client, path, invitee)


def test_an_rsvp_link_stops_when_the_invitees_account_is_deactivated(
    cast, published, client
):
    invitee = published.invitees.get(user=cast.partner)
    path = _rsvp_path(published, invitee)
    _deactivate(cast.partner)
    _assert_withdrawn(client, path, invitee)


def test_an_rsvp_link_stops_when_the_invitee_is_removed_from_the_series(
    cast, published, client
):
    invitee = published.invitees.get(email="ana@pantry.example")
    path = _rsvp_path(published, invitee)
    services.invitee_remove(invitee=invitee, by=cast.coordinator)
    _assert_withdrawn(client, path, invitee)


def test_an_address_matching_an_account_that_lost_access_cannot_answer(
    cast, published, client
):
    """Invited as a bare address, but the address is a workspace account: the
    account's access decides."""
    invitee = services.invitee_add(
        series=published, by=cast.coordinator, email=cast.signatory.email.upper()
    )
    assert invitee.user is None
    path = _rsvp_path(published, invitee)
    assert client.get(path).status_code == 200
    _remove_riverside(cast)
    _assert_withdrawn(client, path, invitee)


def test_an_rsvp_answered_directly_through_the_service_is_refused_after_removal(
    cast, published
):
    invitee = published.invitees.get(user=cast.partner)
    meeting = _first_meeting(published)
    _remove_riverside(cast)
    with pytest.raises(services.RSVPWithdrawn):
        services.rsvp_record(invitee=invitee, meeting=meeting, response="accepted")
    assert not Attendance.objects.exists()


def test_a_bare_address_invitee_keeps_answering(cast, published, client):
    invitee = published.invitees.get(email="ana@pantry.example")
    path = _rsvp_path(published, invitee)
    _remove_riverside(cast)
    client.post(path, {"response": "tentative"})
    assert Attendance.objects.get(invitee=invitee).response == "tentative"
    # A made-up answer is explained, not a server error.
    response = client.post(path, {"response": "maybe-later"})
    assert response.status_code == 200
    assert "Answer accept, tentative or decline." in response.text


# --- mail ----------------------------------------------------------------


def test_an_invitation_queued_before_the_partner_left_is_not_sent(
    cast, series, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.series_publish(series=series, by=cast.coordinator)
    # Riverside leaves after the invitations were queued, before they go out.
    _remove_riverside(cast)
    for callback in queued:
        callback()
    assert smtp.to(cast.partner.email) == []
    assert len(smtp.to("ana@pantry.example")) == 1
    withheld = Delivery.objects.get(email=cast.partner.email)
    assert withheld.status == Delivery.Status.WITHHELD
    assert "can no longer see the partnership" in withheld.last_error


def test_an_invitation_to_a_deactivated_or_removed_invitee_is_not_sent(
    cast, series, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.series_publish(series=series, by=cast.coordinator)
    _deactivate(cast.partner)
    Invitee.objects.filter(email="ana@pantry.example").update(
        removed_at=datetime.datetime.now(UTC)
    )
    for callback in queued:
        callback()
    assert smtp.messages == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"withheld"}


def test_the_uninvitation_still_reaches_a_removed_bare_address(
    cast, published, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitee_remove(
            invitee=published.invitees.get(email="ana@pantry.example"),
            by=cast.coordinator,
        )
    [message] = smtp.to("ana@pantry.example")
    calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert [p.get_param("method") for p in calendars] == ["CANCEL", "CANCEL"]


def test_minutes_do_not_reach_an_attendee_whose_organisation_left(
    cast, series, smtp, django_capture_on_commit_callbacks
):
    meeting = _first_meeting(series)
    invitees = {i.email: i for i in series.invitees.all()}
    services.attendance_mark(
        meeting=meeting,
        by=cast.coordinator,
        present={invitees[cast.partner.email].pk, invitees["ana@pantry.example"].pk},
    )
    services.meeting_hold(meeting=meeting, by=cast.coordinator)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.meeting_close(meeting=meeting, by=cast.coordinator, summary="Done.")
    _remove_riverside(cast)
    for callback in queued:
        callback()
    assert smtp.to(cast.partner.email) == []
    assert len(smtp.to("ana@pantry.example")) == 1


# --- leadership is read-only ---------------------------------------------


def _writes(cast, series, meeting):
    """Every meetings service a person triggers, as the leader."""
    item = AgendaItem.objects.create(meeting=meeting, title="Standing item")
    invitee = series.invitees.get(email="ana@pantry.example")
    leader = cast.leader
    return {
        "series_create": lambda: services.series_create(
            partnership=cast.eastside,
            by=leader,
            title="Leader's series",
            kind="other",
            rrule="FREQ=WEEKLY",
            start_local=datetime.datetime(2026, 11, 2, 9),
            duration_minutes=30,
            tz="UTC",
        ),
        "series_publish": lambda: services.series_publish(series=series, by=leader),
        "series_cancel": lambda: services.series_cancel(series=series, by=leader),
        "series_update": lambda: services.series_update(
            series=series, by=leader, title="Renamed by the leader"
        ),
        "meeting_move": lambda: services.meeting_move(
            meeting=meeting, by=leader, start_local=datetime.datetime(2026, 10, 20, 9)
        ),
        "meeting_cancel": lambda: services.meeting_cancel(meeting=meeting, by=leader),
        "invitee_add": lambda: services.invitee_add(
            series=series, by=leader, email="friend@example.org"
        ),
        "invitee_remove": lambda: services.invitee_remove(invitee=invitee, by=leader),
        "agenda_item_add": lambda: services.agenda_item_add(
            meeting=meeting, by=leader, title="Leader's item"
        ),
        "agenda_item_move": lambda: services.agenda_item_move(
            item=item, by=leader, up=True
        ),
        "minutes_record": lambda: services.minutes_record(
            item=item, by=leader, minutes="Leader's minutes"
        ),
        "decision_record": lambda: services.decision_record(
            meeting=meeting, by=leader, text="Leader decided"
        ),
        "action_record": lambda: services.action_record(
            meeting=meeting, by=leader, text="Leader's action", owner=cast.northside
        ),
        "attendance_mark": lambda: services.attendance_mark(
            meeting=meeting, by=leader, present={invitee.pk}
        ),
        "meeting_hold": lambda: services.meeting_hold(meeting=meeting, by=leader),
        "meeting_close": lambda: services.meeting_close(meeting=meeting, by=leader),
    }


def _snapshot(series):
    series.refresh_from_db()
    return (
        MeetingSeries.objects.count(),
        series.title,
        series.published,
        series.cancelled_at,
        series.sequence,
        list(Meeting.objects.values_list("pk", "state", "start")),
        list(Invitee.objects.values_list("email", "removed_at")),
        list(AgendaItem.objects.values_list("title", "order", "minutes")),
        Decision.objects.count(),
        Action.objects.count(),
        Attendance.objects.count(),
    )


@pytest.mark.parametrize("with_coordinator_role", [False, True])
def test_a_leadership_viewer_cannot_change_meetings_through_services(
    cast, series, with_coordinator_role
):
    if with_coordinator_role:
        # The issue's attack: a leader handed the coordinator role.
        from partnerships.models import PartnershipRole

        PartnershipRole.objects.create(
            participation=cast.eastside_lead,
            user=cast.leader,
            role=PartnershipRole.Role.COORDINATOR,
        )
    meeting = _first_meeting(series)
    writes = _writes(cast, series, meeting)
    before = _snapshot(series)
    for name, write in writes.items():
        with pytest.raises(PermissionDenied):
            write()
            pytest.fail(f"{name} let the leadership viewer change a meeting")
    assert _snapshot(series) == before


def test_a_leadership_viewer_cannot_change_meetings_through_posts(
    cast, series, client_for
):
    meeting = _first_meeting(series)
    item = AgendaItem.objects.create(meeting=meeting, title="Standing item")
    invitee = series.invitees.get(email="ana@pantry.example")
    client = client_for(cast.leader)
    # The leader reads everything …
    for url in [
        reverse("meetings:index", args=[cast.eastside.pk]),
        reverse("meetings:series", args=[series.pk]),
        reverse("meetings:meeting", args=[meeting.pk]),
    ]:
        assert client.get(url).status_code == 200
    before = _snapshot(series)
    posts = [
        (
            reverse("meetings:series_add", args=[cast.eastside.pk]),
            {"title": "x", "kind": "other", "preset": "monthly_review"},
        ),
        (reverse("meetings:series_edit", args=[series.pk]), {"title": "Renamed"}),
        (reverse("meetings:series_publish", args=[series.pk]), {}),
        (reverse("meetings:series_cancel", args=[series.pk]), {"notify": "on"}),
        (
            reverse("meetings:invitee_add", args=[series.pk]),
            {"addresses": "friend@example.org"},
        ),
        (reverse("meetings:invitee_remove", args=[series.pk, invitee.pk]), {}),
        (reverse("meetings:agenda_add", args=[meeting.pk]), {"title": "Mine"}),
        (reverse("meetings:agenda_move", args=[meeting.pk, item.pk, "up"]), {}),
        (
            reverse("meetings:agenda_minutes", args=[meeting.pk, item.pk]),
            {"minutes": "Mine"},
        ),
        (reverse("meetings:decision_add", args=[meeting.pk]), {"text": "Mine"}),
        (
            reverse("meetings:action_add", args=[meeting.pk]),
            {"text": "Mine", "owner": cast.northside.pk},
        ),
        (reverse("meetings:attendance", args=[meeting.pk]), {"present": invitee.pk}),
        *[
            (reverse("meetings:state", args=[meeting.pk, action]), {})
            for action in ["hold", "close", "cancel"]
        ],
        (
            reverse("meetings:state", args=[meeting.pk, "move"]),
            {"date": "2026-10-20", "time": "09:00"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home"), url
    assert _snapshot(series) == before


def test_a_partner_who_edits_minutes_cannot_move_or_cancel_a_meeting(
    cast, series, client_for
):
    """Moving and cancelling tell every invitee, so they are the coordinator's:
    a partner who may prepare and minute meetings is turned away, as from any
    screen they may not use, and nothing changes."""
    meeting = _first_meeting(series)
    client = client_for(cast.partner)
    before = _snapshot(series)
    for action, data in [
        ("cancel", {"notify": "on"}),
        ("move", {"date": "2026-10-20", "time": "09:00", "notify": "on"}),
    ]:
        response = client.post(
            reverse("meetings:state", args=[meeting.pk, action]), data
        )
        assert response.status_code == 302, action
        assert response["Location"] == reverse("wagtailadmin_home"), action
    assert _snapshot(series) == before
