"""Periodic work, run by cron every few minutes: `manage.py tick`.

Idempotent: each reminder is recorded when it is queued, so running tick twice
sends nothing twice. Each capability adds its own step here."""

from django.core.management.base import BaseCommand

from partnerships import services


class Command(BaseCommand):
    help = "Send due reminders and do other periodic work (safe to run often)."

    def handle(self, *args, **options):
        sent = services.responsibility_reminders_send()
        self.stdout.write(
            "Responsibility reminders: "
            + ", ".join(
                f"{count} {kind.replace('_', ' ')}" for kind, count in sent.items()
            )
        )
