"""A new review series starts with the partnership's role holders ticked, so a
coordinator invites the usual people without ticking each one."""

from bs4 import BeautifulSoup
from django.urls import reverse


def test_people_with_a_role_are_ticked_and_others_are_not(cast, client_for):
    page = client_for(cast.coordinator).get(
        reverse("meetings:series_add", args=[cast.eastside.pk])
    )
    soup = BeautifulSoup(page.content, "html.parser")
    ticked = {
        box["value"]
        for box in soup.select("input[name=members]")
        if box.has_attr("checked")
    }
    offered = {box["value"] for box in soup.select("input[name=members]")}
    holders = {cast.coordinator, cast.signatory, cast.partner, cast.housing}
    assert ticked == {str(person.pk) for person in holders}
    # A leadership viewer of Northside can be invited, but is not by default.
    assert str(cast.leader.pk) in offered - ticked
    # Someone whose organisation is not in the partnership is not even offered.
    assert str(cast.outsider.pk) not in offered
