"""A leadership viewer acts in no partnership, so their next step is oversight:
the overdue responsibilities across the partnerships they follow."""

import datetime

from django.utils import timezone

from accountability.models import Responsibility
from partnerships import next_steps


def _overdue(partnership, owner, days=3):
    return Responsibility.objects.create(
        partnership=partnership,
        owner=owner,
        title="Late job",
        due_date=timezone.localdate() - datetime.timedelta(days=days),
    )


def _kinds(user):
    return {step.kind: step for step in next_steps.for_user(user)}


def test_a_leadership_viewer_is_asked_to_review_overdue_work(cast, client_for):
    _overdue(cast.eastside, cast.riverside)
    _overdue(cast.eastside, cast.housing_org)
    # Lakeshore is not followed by Northside's leadership viewer.
    _overdue(cast.lakeshore, cast.lakeshore_org)

    step = _kinds(cast.leader)["leadership.overdue"]
    assert step.text == "Review 2 overdue responsibilities across 1 partnership"
    assert step.urgent
    home = client_for(cast.leader).get("/admin/").content.decode()
    assert "Review 2 overdue responsibilities" in home
    assert client_for(cast.leader).get(step.url).status_code == 200


def test_members_and_quiet_networks_get_no_oversight_step(cast):
    assert "leadership.overdue" not in _kinds(cast.leader)
    _overdue(cast.eastside, cast.riverside)
    # People who act for their organisation see the work itself, not oversight.
    assert "leadership.overdue" not in _kinds(cast.coordinator)
    assert "leadership.overdue" not in _kinds(cast.partner)
    # Done work is not overdue.
    Responsibility.objects.update(status=Responsibility.Status.DONE)
    assert "leadership.overdue" not in _kinds(cast.leader)
