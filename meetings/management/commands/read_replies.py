"""`manage.py read_replies`: one pass over the reply mailbox (MEETINGS_IMAP_URL).
Run it from cron beside `tick`, every few minutes; it is safe to run often."""

from django.conf import settings
from django.core.management.base import BaseCommand

from meetings.mailbox import read_replies


class Command(BaseCommand):
    help = "Record the answers calendar programs sent to the reply mailbox."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, limit, **options):
        if not settings.MEETINGS_IMAP_URL:
            self.stdout.write(
                "No reply mailbox (MEETINGS_IMAP_URL is not set): answers come "
                "through the RSVP links only."
            )
            return
        counts = read_replies(limit=limit)
        self.stdout.write(
            "Calendar replies: "
            + (", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "none")
        )
