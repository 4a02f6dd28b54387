"""A person whose account was deactivated (they left their organisation) keeps
no access anywhere: no partnership, referral or mail, whatever their session,
feed or link still holds."""

import pytest
from django.http import Http404

from partnerships import permissions

pytestmark = pytest.mark.django_db


def test_a_deactivated_account_sees_no_partnership(cast):
    cast.partner.is_active = False
    cast.partner.save()
    permissions.forget(cast.partner)
    assert not permissions.visible_partnerships(cast.partner).exists()
    assert not permissions.can_view(cast.partner, cast.eastside)
    with pytest.raises(Http404):
        permissions.get_partnership_for(cast.partner, cast.eastside.pk)
    assert not permissions.referrals_visible_to(cast.partner).exists()
    assert (
        permissions.addresses_with_access(cast.eastside.pk, [cast.partner.email]) == []
    )
