"""A partnership's status moves only through its transitions: forming → active,
active ⇄ renewing, any → closed with a reason, and back from closed by hub
staff only. Every move is in the history; every refused move says why and
changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from partnerships import services
from partnerships.models import Partnership

pytestmark = pytest.mark.django_db

Status = Partnership.Status


def set_status(partnership, status):
    Partnership.objects.filter(pk=partnership.pk).update(status=status)
    partnership.refresh_from_db()


def move(partnership, by, name, reason=""):
    return services.partnership_move(
        partnership=partnership, by=by, move=name, reason=reason
    )


def status_of(partnership):
    return Partnership.objects.get(pk=partnership.pk).status


def history(partnership):
    return list(
        ModelLogEntry.objects.filter(
            object_id=str(partnership.pk), action="partnerships.status"
        ).order_by("pk")
    )


def test_the_coordinator_moves_a_partnership_through_its_life(cast, client_for):
    set_status(cast.eastside, Status.FORMING)
    client = client_for(cast.coordinator)
    url = reverse("partnerships:status", args=[cast.eastside.pk])
    overview = client.get(cast.eastside.get_absolute_url())
    assert "Mark active" in overview.text
    assert "Start renewal" not in overview.text

    client.post(url, {"move": "activate"})
    assert status_of(cast.eastside) == Status.ACTIVE
    client.post(url, {"move": "start_renewal"})
    assert status_of(cast.eastside) == Status.RENEWING
    client.post(url, {"move": "renew"})
    assert status_of(cast.eastside) == Status.ACTIVE
    page = client.post(
        url, {"move": "close", "reason": "The work moved to the county."}, follow=True
    )
    assert status_of(cast.eastside) == Status.CLOSED
    assert "The partnership is now Closed." in page.text

    entries = history(cast.eastside)
    assert [e.data["to"] for e in entries] == ["Active", "Renewing", "Active", "Closed"]
    assert entries[-1].user == cast.coordinator
    page = client.get(reverse("partnerships:history", args=[cast.eastside.pk]))
    assert "Status: Active → Closed. The work moved to the county." in page.text


def test_a_partnership_of_one_organisation_does_not_become_active(cast, client_for):
    alone = services.partnership_create(
        by=cast.coordinator, lead=cast.northside, name="Just us", purpose="Plans."
    )
    assert alone.status == Status.FORMING
    page = client_for(cast.coordinator).post(
        reverse("partnerships:status", args=[alone.pk]),
        {"move": "activate"},
        follow=True,
    )
    assert "at least two organisations take part" in page.text
    assert status_of(alone) == Status.FORMING
    assert history(alone) == []


@pytest.mark.parametrize(
    "start, name",
    [
        (Status.ACTIVE, "activate"),
        (Status.CLOSED, "activate"),
        (Status.FORMING, "start_renewal"),
        (Status.RENEWING, "start_renewal"),
        (Status.ACTIVE, "renew"),
        (Status.CLOSED, "close"),
        (Status.FORMING, "reopen"),
        (Status.ACTIVE, "reopen"),
    ],
)
def test_a_move_from_the_wrong_status_is_refused_and_changes_nothing(cast, start, name):
    set_status(cast.eastside, start)
    # Hub staff may do anything the policy allows: only the transition refuses.
    with pytest.raises(ValidationError, match="not possible now"):
        move(cast.eastside, cast.hub, name, reason="Testing.")
    assert status_of(cast.eastside) == start
    assert history(cast.eastside) == []


def test_closing_needs_a_reason(cast):
    with pytest.raises(ValidationError, match="Say why"):
        move(cast.eastside, cast.coordinator, "close", reason="   ")
    assert status_of(cast.eastside) == Status.ACTIVE


def test_only_hub_staff_reopen_a_closed_partnership(cast):
    move(cast.eastside, cast.coordinator, "close", reason="Funding ended.")
    with pytest.raises(PermissionDenied):
        move(cast.eastside, cast.coordinator, "reopen")
    assert status_of(cast.eastside) == Status.CLOSED
    move(cast.eastside, cast.hub, "reopen")
    assert status_of(cast.eastside) == Status.ACTIVE


def test_a_reopened_partnership_still_needs_two_organisations(cast):
    lead_only = services.partnership_create(
        by=cast.coordinator, lead=cast.northside, name="Short-lived", purpose="-"
    )
    move(lead_only, cast.coordinator, "close", reason="Never started.")
    with pytest.raises(ValidationError, match="at least two organisations"):
        move(lead_only, cast.hub, "reopen")
    assert status_of(lead_only) == Status.CLOSED


@pytest.mark.parametrize("who", ["partner", "signatory", "leader", "outsider"])
def test_people_who_do_not_coordinate_cannot_move_the_status(cast, client_for, who):
    client = client_for(getattr(cast, who))
    overview = client.get(cast.eastside.get_absolute_url())
    assert "Close the partnership" not in overview.text
    client.post(
        reverse("partnerships:status", args=[cast.eastside.pk]),
        {"move": "close", "reason": "Hostile."},
    )
    assert status_of(cast.eastside) == Status.ACTIVE
    assert history(cast.eastside) == []


def test_the_edit_form_does_not_change_the_status(cast, client_for):
    client_for(cast.coordinator).post(
        reverse("partnerships:edit", args=[cast.eastside.pk]),
        {
            "name": cast.eastside.name,
            "purpose": "Same purpose.",
            "formality": 4,
            "status": "closed",
            "timezone": "America/New_York",
            "escalation_days": 7,
        },
    )
    assert status_of(cast.eastside) == Status.ACTIVE
    with pytest.raises(ValueError, match="partnership_move"):
        services.partnership_update(
            partnership=cast.eastside, by=cast.coordinator, status=Status.CLOSED
        )


def test_an_unknown_move_is_refused(cast):
    with pytest.raises(ValidationError, match="not a status change"):
        move(cast.eastside, cast.coordinator, "delete")
