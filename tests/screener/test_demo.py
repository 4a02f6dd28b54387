"""The demo: a twelve-question questionnaire, 60 services across the four demo
organisations and a few others, and a year of anonymous screens; it mails
nobody and loads twice without change."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Sum

from directory.models import DirectoryService
from screener.models import NeedCount, Questionnaire

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_questionnaire_services_and_a_year_of_screens():
    call_command("load_demo_data")
    questionnaire = Questionnaire.objects.get()
    assert len(questionnaire.current.content["questions"]) == 12
    assert DirectoryService.objects.count() == 60
    organisations = set(
        DirectoryService.objects.values_list("organisation__name", flat=True)
    )
    assert {
        "Northside Family Services",
        "Riverside Health Clinic",
        "Eastside Housing Coalition",
        "Lakeshore Youth Center",
        "Valley Legal Aid",
    } <= organisations
    assert DirectoryService.objects.filter(latitude__isnull=True).count() == 0
    months = NeedCount.objects.values("month").distinct().count()
    assert 12 <= months <= 13
    # 500 screens, each signalling about two needs.
    assert 700 < NeedCount.objects.aggregate(n=Sum("screens"))["n"] < 1500
    assert NeedCount.objects.filter(screens__lte=10).exists()  # suppression shows
    assert mail.outbox == []
    call_command("load_demo_data")
    assert DirectoryService.objects.count() == 60
    assert Questionnaire.objects.count() == 1
