import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import ModelLogEntry

from cms.models import GuidePage, HomePage
from partnerships import permissions
from partnerships.models import (
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    SustainabilityCommitment,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def counts():
    return [
        model.objects.count()
        for model in (
            Organisation,
            Membership,
            Partnership,
            Participation,
            PartnershipRole,
            SustainabilityCommitment,
            HomePage,
            GuidePage,
            ModelLogEntry,
        )
    ]


def test_demo_data_loads_the_cast_and_a_second_run_changes_nothing(django_user_model):
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    first = counts()
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert counts() == first
    eastside = Partnership.objects.get(name="Eastside Family Support Partnership")
    assert set(
        eastside.participations.values_list("organisation__name", flat=True)
    ) == {
        "Northside Family Services",
        "Riverside Health Clinic",
        "Eastside Housing Coalition",
    }
    outsider = django_user_model.objects.get(username="outsider")
    assert outsider.check_password("partnership")
    assert (
        not permissions.visible_partnerships(outsider).filter(pk=eastside.pk).exists()
    )
    partner = django_user_model.objects.get(username="partner")
    assert set(
        permissions.visible_partnerships(partner).values_list("name", flat=True)
    ) == {"Eastside Family Support Partnership"}


def test_the_public_site_explains_the_product_and_the_practices(client):
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    home = client.get("/")
    assert home.status_code == 200
    assert "Open your workspace" in home.text
    guides = client.get("/guides/")
    for title in [
        "Agree on purpose",
        "Adapt and learn",
        "sustainable",
        "Communicate clearly",
        "Share accountability",
        "Referrals that close the loop",
    ]:
        assert title in guides.text
    assert client.get("/guides/referrals/").status_code == 200


def test_the_health_check_answers_for_load_balancers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.text == "ok"


def test_a_correct_login_reaches_the_workspace(cast, client):
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": "partner", "password": "a-long-test-password"},
    )
    assert response.status_code == 302
    dashboard = client.get(reverse("wagtailadmin_home"))
    assert "Your partnerships" in dashboard.text
    assert "Eastside Family Support Partnership" in dashboard.text


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "x" * 20
        + "production-secret-key-for-the-deploy-check-"
        + "y" * 20,
        "ALLOWED_HOSTS": "partners.example.org",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_real_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.production"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORT": "8123", "BASE_URL": "https://partners.example.org"}, None),
    ],
)
def test_links_in_mail_follow_the_port_the_server_runs_on(extra, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "PORT")}
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.dev", **extra)
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1] == (expected or extra["BASE_URL"])
