"""Moving models to their own apps keeps every row: the demo data, taken back to
the schema main had before the moves, is all there after migrating to today's."""

import datetime
import os

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
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
    from logicmodels.models import Element
    from meetings.models import AgendaItem
    from referrals.models import Referral

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

    sent = old_reminders_sent()

    # ... and forward to today's: the same rows in every table, under the new
    # apps, and the history still attached.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    after = table_rows()
    # The reminders recorded the old ways are now Reminder rows (the way back
    # does not keep today's: it is only there for this test).
    assert after.pop("partnerships_reminder") >= len(sent)
    assert (
        after.pop("referrals_referralevent") == today.pop("referrals_referralevent") + 1
    )
    today.pop("partnerships_reminder")
    assert after == today
    from partnerships.models import Reminder

    for content_type, object_id, kind, due_date, sent_at in sent:
        reminder = Reminder.objects.get(
            content_type__app_label=content_type[0],
            content_type__model=content_type[1],
            object_id=object_id,
            kind=kind,
        )
        assert reminder.due_date == due_date, kind
        if sent_at:
            assert reminder.sent_at == sent_at, kind
        else:
            assert timezone.localdate(reminder.sent_at) == datetime.date(2026, 10, 5)
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
    sourced = Responsibility.objects.exclude(source_type=None)
    assert sourced.exists()
    assert all(r.source_object is not None for r in sourced)


def old_reminders_sent() -> list[tuple]:
    """Record one reminder of each kind the way main recorded them before the
    one Reminder table: ReminderSent, RenewalReminder, a referral's reminder
    event and a service's stale_reminded_on. Returns what each should become."""
    state = MigrationExecutor(connection).loader.project_state(
        [("partnerships", BEFORE_MOVES[-1][1]), ("mou", "0002_default_template")]
    )
    old = state.apps
    at = datetime.datetime(2026, 10, 5, 9, 30, tzinfo=datetime.UTC)
    sent = []

    responsibility = old.get_model("partnerships", "Responsibility").objects.exclude(
        due_date=None
    )[0]
    row = old.get_model("partnerships", "ReminderSent").objects.create(
        responsibility=responsibility, kind="overdue", due_date=responsibility.due_date
    )
    row.__class__.objects.filter(pk=row.pk).update(sent_at=at)
    sent.append(
        (
            ("accountability", "responsibility"),
            responsibility.pk,
            "responsibility.overdue",
            responsibility.due_date,
            at,
        )
    )

    mou = old.get_model("mou", "MOU").objects.exclude(end_date=None)[0]
    row = old.get_model("mou", "RenewalReminder").objects.create(
        mou=mou, days_before=30
    )
    row.__class__.objects.filter(pk=row.pk).update(sent_at=at)
    sent.append((("mou", "mou"), mou.pk, "mou.renewal_30", mou.end_date, at))

    referral = old.get_model("partnerships", "Referral").objects.order_by("pk")[0]
    old.get_model("partnerships", "ReferralEvent").objects.create(
        referral=referral,
        kind="reminder: acknowledge",
        from_status=referral.status,
        to_status=referral.status,
        at=at,
    )
    sent.append(
        (
            ("referrals", "referral"),
            referral.pk,
            "referral.acknowledge",
            timezone.localdate(referral.requested_at),
            at,
        )
    )

    service = old.get_model("partnerships", "DirectoryService").objects.order_by("pk")
    service.filter(pk=service[0].pk).update(
        stale_reminded_on=datetime.date(2026, 10, 5)
    )
    sent.append(
        (
            ("directory", "directoryservice"),
            service[0].pk,
            "directory.stale",
            datetime.date(2026, 10, 1),
            None,  # checked below: the day it was sent, at midnight
        )
    )
    return sent
