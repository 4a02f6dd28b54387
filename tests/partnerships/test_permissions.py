import pytest

from partnerships import permissions
from partnerships.models import Partnership

pytestmark = pytest.mark.django_db


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_partner_staff_see_only_partnerships_their_organisation_is_in(cast):
    assert names(permissions.visible_partnerships(cast.partner)) == {cast.eastside.name}
    assert names(permissions.visible_partnerships(cast.outsider)) == {
        cast.lakeshore.name
    }
    assert names(permissions.visible_partnerships(cast.housing)) == {
        cast.eastside.name,
        cast.lakeshore.name,
    }
    assert not permissions.visible_partnerships(cast.stranger).exists()


def test_hub_staff_see_everything_and_anonymous_nothing(cast, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert permissions.visible_partnerships(cast.hub).count() == 2
    assert not permissions.visible_partnerships(AnonymousUser()).exists()


def test_roles_decide_what_a_viewer_may_change(cast):
    eastside = cast.eastside
    assert permissions.can_view(cast.leader, eastside)
    assert not permissions.can_edit(cast.leader, eastside)
    assert permissions.can_edit(cast.partner, eastside)
    assert not permissions.can_coordinate(cast.partner, eastside)
    assert permissions.can_coordinate(cast.coordinator, eastside)
    assert not permissions.can_view(cast.outsider, eastside)
    assert not permissions.can_edit(cast.outsider, eastside)
    assert not permissions.can_coordinate(cast.outsider, eastside)


def test_only_an_organisations_signatory_signs_for_it(cast):
    eastside = cast.eastside
    assert permissions.can_sign(cast.signatory, eastside, cast.riverside)
    assert not permissions.can_sign(cast.signatory, eastside, cast.northside)
    assert not permissions.can_sign(cast.partner, eastside, cast.riverside)
    assert permissions.can_sign(cast.coordinator, eastside, cast.northside)


def test_an_inactive_account_loses_access(cast):
    cast.partner.is_active = False
    cast.partner.save()
    assert not permissions.can_view(cast.partner, cast.eastside)


def test_closed_partnerships_are_read_only_for_partners(cast):
    cast.eastside.status = Partnership.Status.CLOSED
    cast.eastside.save()
    assert permissions.can_view(cast.partner, cast.eastside)
    assert not permissions.can_edit(cast.partner, cast.eastside)
