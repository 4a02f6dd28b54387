"""Demo data for trying the workspace: `manage.py load_demo_data`.

Each app owns its demo data in `<app>/demo.py`; this command calls them in the
order their rows depend on each other. Idempotent: every row is looked up by a
natural key first, so running it twice changes nothing. Every demo account's
password is "partnership".
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings

import accountability.demo
import cms.demo
import directory.demo
import logicmodels.demo
import meetings.demo
import mou.demo
import partnerships.demo
import referrals.demo
import screener.demo
from partnerships.emails import muted


class Command(BaseCommand):
    help = "Load the demo organisations, people, partnerships and public pages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the invented people into a production database all the same.",
        )

    def handle(self, *args, allow_production=False, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "This is a production database: the demo adds invented people and "
                "a password everyone knows. Add --allow-production to load it anyway."
            )
        # The demo people are invented: nothing is mailed to them. Besides muting
        # notices, every task the load starts runs here and now (search and
        # reference indexes included) and any mail goes to memory: nothing is
        # left in the queue for a worker to send for real.
        with override_settings(
            TASKS={
                "default": {
                    "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
                }
            },
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            self.load()
        if connection.vendor == "sqlite":
            # Fresh statistics keep SQLite's planner honest (DESIGN.md §9).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA optimize")
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))

    @transaction.atomic
    def load(self):
        with muted():
            demo = partnerships.demo.load(today=datetime.date.today())
            self.stdout.write("partnerships: the cast, organisations, partnerships")
            # The referral protocol comes before the MOU: its referral methods
            # quote it.
            for module in (
                accountability.demo,
                referrals.demo,
                mou.demo,
                meetings.demo,
                logicmodels.demo,
                directory.demo,
                screener.demo,
            ):
                module.load(demo=demo)
                self.stdout.write(f"{module.__name__.split('.')[0]}: loaded")
            cms.demo.load()
            self.stdout.write("cms: home, guides and directory pages")
