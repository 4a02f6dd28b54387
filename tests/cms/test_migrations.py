"""Moving a model to its own app keeps every row: the demo data, loaded on the
schema main had before the move, is all there after migrating to today's."""

import os

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page

pytestmark = pytest.mark.django_db(transaction=True)

# (app, migration) just before each move, and the app the model moved to.
BEFORE_MOVE = [
    ("directory", None),
    ("partnerships", "0008_organisation_administrators"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def table_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        rows = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            rows[table] = cursor.fetchone()[0]
    return rows


def test_the_directory_moves_to_its_own_app_with_every_row():
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    service_type = ContentType.objects.get(
        app_label="directory", model="directoryservice"
    )
    from directory.models import DirectoryService

    service = DirectoryService.objects.first()
    log(service, "wagtail.edit", user=None)
    services = sorted(DirectoryService.objects.values_list("pk", "name"))
    assert services

    # Back to the schema of main before the move ...
    for target in BEFORE_MOVE:
        migrate([target])
    before = table_rows()
    assert "partnerships_directoryservice" in before
    assert "directory_directoryservice" not in before
    assert before["partnerships_directoryservice"] == len(services)
    assert ContentType.objects.get(pk=service_type.pk).app_label == "partnerships"

    # ... and forward to today's: the same rows, under the new app.
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())
    after = table_rows()
    assert "partnerships_directoryservice" not in after
    assert after.pop("directory_directoryservice") == len(services)
    before.pop("partnerships_directoryservice")
    assert {t: n for t, n in after.items() if t != "django_migrations"} == {
        t: n for t, n in before.items() if t != "django_migrations"
    }
    apps.clear_cache()
    ContentType.objects.clear_cache()
    assert sorted(DirectoryService.objects.values_list("pk", "name")) == services
    moved = ContentType.objects.get(pk=service_type.pk)
    assert (moved.app_label, moved.model) == ("directory", "directoryservice")
    entry = ModelLogEntry.objects.get(content_type=moved, object_id=str(service.pk))
    assert entry.action == "wagtail.edit"
