"""Production settings are chosen in one place and refuse to start half-configured."""

import subprocess

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from mou.default_template import ensure_default_template
from mou.models import MOUTemplate, MOUTemplateSection

from .helpers import PYTHON, ROOT, clean_env, manage, production_values, write_env_file

SHOW_SETTINGS = (
    "from django.conf import settings; d = settings.DATABASES['default']; "
    "print(settings.SETTINGS_MODULE, settings.DEBUG, d['CONN_MAX_AGE'], "
    "d['CONN_HEALTH_CHECKS'], d.get('OPTIONS', {}).get('pool', {}).get('max_size'))"
)


def test_manage_py_takes_production_settings_from_the_environment_file(tmp_path):
    env_file = write_env_file(tmp_path / "env", **production_values(tmp_path))
    result = manage("shell", "-c", SHOW_SETTINGS, env=clean_env(ENV_FILE=str(env_file)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == [
        "cms.settings.production",
        "False",
        "0",
        "True",
        "None",
    ]


def test_a_variable_set_by_the_unit_wins_over_the_environment_file(tmp_path):
    values = production_values(
        tmp_path, DATABASE_URL="postgres://app@db.internal:5432/app"
    )
    env_file = write_env_file(tmp_path / "env", **values)
    env = clean_env(ENV_FILE=str(env_file), DB_POOL_MAX="0", CONN_MAX_AGE="60")
    result = manage("shell", "-c", SHOW_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    # No pool: persistent connections of 60 s instead, still health-checked.
    assert result.stdout.split()[-3:] == ["60", "True", "None"]

    env.update(DB_POOL_MAX="3", CONN_HEALTH_CHECKS="0")
    result = manage("shell", "-c", SHOW_SETTINGS, env=env)
    assert result.stdout.split()[-3:] == ["0", "False", "3"]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SECRET_KEY=short"])
def test_production_settings_refuse_to_start_without(tmp_path, missing):
    values = production_values(tmp_path)
    name, _, short = missing.partition("=")
    if short:
        values[name] = short
    else:
        del values[name]
    env_file = write_env_file(tmp_path / "env", **values)
    result = manage("check", env=clean_env(ENV_FILE=str(env_file)))
    assert result.returncode != 0
    assert f"Set {name} to" in result.stderr


def test_the_wsgi_application_never_falls_back_to_development_settings(tmp_path):
    # No environment file and no settings module: production, which refuses.
    env = clean_env(ENV_FILE=str(tmp_path / "absent"))
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-c", "import cms.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY to" in result.stderr


def test_the_demo_data_is_refused_on_a_production_database(tmp_path):
    env_file = write_env_file(tmp_path / "env", **production_values(tmp_path))
    result = manage("load_demo_data", env=clean_env(ENV_FILE=str(env_file)))
    assert result.returncode == 1
    assert "This is a production database" in result.stderr
    assert "--allow-production" in result.stderr


# Committed for real, so the load's on_commit work runs.
@pytest.mark.django_db(transaction=True)
def test_loading_the_demo_leaves_no_mail_for_a_worker_to_send(tmp_path):
    # What data migrations made, gone if an earlier test flushed the database.
    ensure_default_template(MOUTemplate, MOUTemplateSection)
    if Page.get_first_root_node() is None:
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(
                django_settings.LANGUAGE_CODE
            )
        )
        Page.add_root(instance=Page(title="Root", slug="root"))
    # The "real" mail server here is a folder: any message sent lands in it.
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        PRODUCTION=True,
    ):
        call_command("load_demo_data", "--allow-production", verbosity=0)
        assert not DBTaskResult.objects.exists()
    assert not (tmp_path / "mail").exists() or not any((tmp_path / "mail").iterdir())
