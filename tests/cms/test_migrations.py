"""Moving models to their own apps keeps every row: the demo data, taken back to
the schema main had before the moves, is all there after migrating to today's."""

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

# The apps that took models over from partnerships, unapplied first, then
# partnerships taken back to just before the first move.
BEFORE_MOVES = [
    ("accountability", None),
    ("directory", None),
    ("referrals", None),
    ("partnerships", "0008_organisation_administrators"),
]
# Old table → new table, for every moved model.
MOVED = {
    "partnerships_directoryservice": "directory_directoryservice",
    "partnerships_referralprotocol": "referrals_referralprotocol",
    "partnerships_referral": "referrals_referral",
    "partnerships_referralevent": "referrals_referralevent",
    "partnerships_responsibility": "accountability_responsibility",
    "partnerships_responsibilityupdate": "accountability_responsibilityupdate",
    "partnerships_learningentry": "accountability_learningentry",
    "partnerships_learningentry_responsibilities": (
        "accountability_learningentry_responsibilities"
    ),
    "partnerships_healthcheckround": "accountability_healthcheckround",
    "partnerships_healthcheckresponse": "accountability_healthcheckresponse",
    "partnerships_practicerating": "accountability_practicerating",
    "partnerships_collaborationrating": "accountability_collaborationrating",
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def table_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        rows = {}
        for table in connection.introspection.table_names(cursor):
            if table == "django_migrations" or table.startswith("sqlite_"):
                continue  # the record of migrations and SQLite's own statistics
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            rows[table] = cursor.fetchone()[0]
    return rows


def test_models_moved_out_of_partnerships_keep_every_row_and_their_history():
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from accountability.models import Responsibility
    from directory.models import DirectoryService
    from referrals.models import Referral

    from logicmodels.models import Element
    from meetings.models import AgendaItem

    # Rows in other apps that point at a moved model.
    responsibility = Responsibility.objects.first()
    element = Element.objects.first()
    element.responsibilities.add(responsibility)
    agenda_item = AgendaItem.objects.first()
    AgendaItem.objects.filter(pk=agenda_item.pk).update(responsibility=responsibility)

    service = DirectoryService.objects.first()
    log(service, "wagtail.edit", user=None)
    types = {
        model: ContentType.objects.get_for_model(model)
        for model in (DirectoryService, Referral, Responsibility)
    }
    today = table_rows()
    assert today["referrals_referral"] > 100  # the demo's year of referrals
    assert today["accountability_responsibility"] > 10

    # Back to the schema of main before the moves ...
    for target in BEFORE_MOVES:
        migrate([target])
    before = table_rows()
    for old, new in MOVED.items():
        assert new not in before
        assert before[old] == today[new], old
    assert {
        ct.app_label
        for ct in ContentType.objects.filter(pk__in=[t.pk for t in types.values()])
    } == {"partnerships"}

    # ... and forward to today's: the same rows in every table, under the new
    # apps, and the history still attached.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    after = table_rows()
    assert after == today
    apps.clear_cache()
    ContentType.objects.clear_cache()
    for model, content_type in types.items():
        moved = ContentType.objects.get(pk=content_type.pk)
        assert moved.model_class() is model
    assert ModelLogEntry.objects.filter(
        content_type=types[DirectoryService], object_id=str(service.pk)
    ).exists()
    assert ModelLogEntry.objects.filter(content_type=types[Referral]).exists()
    assert AgendaItem.objects.get(pk=agenda_item.pk).responsibility == responsibility
    assert list(Element.objects.get(pk=element.pk).responsibilities.all()) == [
        responsibility
    ]
    # Responsibilities name their source (an MOU clause, a meeting action …)
    # through content types that did not move, and still find it.
    assert all(
        r.source is not None for r in Responsibility.objects.exclude(source_id=None)
    )
