"""Hub staff keep questionnaires as content; partner staff never reach them."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_hub_staff_edit_questionnaires_and_partners_are_refused(
    cast, questionnaire, client_for
):
    url = reverse(
        "wagtailsnippets_screener_questionnaire:edit", args=[questionnaire.pk]
    )
    page = client_for(cast.hub).get(url)
    assert page.status_code == 200
    assert "Are you worried about keeping your home?" in page.text
    assert client_for(cast.coordinator).get(url).status_code == 403
