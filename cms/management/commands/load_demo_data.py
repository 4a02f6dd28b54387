"""Demo data for trying the workspace: `manage.py load_demo_data`.

Each app owns its demo data in `<app>/demo.py`; this command calls them in the
order their rows depend on each other. Idempotent: every row is looked up by a
natural key first, so running it twice changes nothing. Every demo account's
password is "partnership".
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import connection, transaction

import accountability.demo
import cms.demo
import directory.demo
import logicmodels.demo
import meetings.demo
import mou.demo
import partnerships.demo
import referrals.demo
from partnerships.emails import muted


class Command(BaseCommand):
    help = "Load the demo organisations, people, partnerships and public pages."

    @transaction.atomic
    def handle(self, *args, **options):
        # The demo people are invented: the product's notices are not sent to them.
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
            ):
                module.load(demo=demo)
                self.stdout.write(f"{module.__name__.split('.')[0]}: loaded")
            cms.demo.load()
            self.stdout.write("cms: home, guides and directory pages")
        if connection.vendor == "sqlite":
            # Fresh statistics keep SQLite's planner honest (DESIGN.md §9).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA optimize")
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
