"""Periodic work, run by cron every few minutes: `manage.py tick`.

Idempotent: each reminder is recorded when it is queued (one `Reminder` row per
object, kind and due date, which the database refuses to write twice) and each
expiry is a state change, so running tick twice, even at once, sends nothing
twice."""

from django.core.management.base import BaseCommand

from cms import housekeeping
from meetings import services as meeting_services
from mou import services as mou_services
from notifications import digest, outbox
from partnerships import reminders


class Command(BaseCommand):
    help = "Reminders, expiries and invitation retries (safe to run often)."

    def handle(self, *args, **options):
        self.stdout.write(f"MOUs expired: {mou_services.mou_expire_due()}")
        # Each app registers its own reminders (see partnerships/reminders.py).
        sent = reminders.send_due()
        self.stdout.write(
            "Reminders sent: "
            + (", ".join(f"{count} {kind}" for kind, count in sent.items()) or "none")
        )
        self.stdout.write(f"Invitations re-sent: {meeting_services.deliveries_retry()}")
        self.stdout.write(f"Daily digests queued: {digest.digest_send()}")
        self.stdout.write(f"Outgoing mail re-queued: {outbox.outbox_sweep()}")
        pruned = housekeeping.prune()
        self.stdout.write(
            "Pruned: " + ", ".join(f"{count} {kind}" for kind, count in pruned.items())
        )
