"""Periodic work, run by cron every few minutes: `manage.py tick`.

Idempotent: each reminder is recorded when it is queued and each expiry is a
state change, so running tick twice sends nothing twice."""

from django.core.management.base import BaseCommand

from directory import services as directory_services
from meetings import services as meeting_services
from mou import services as mou_services
from partnerships import services
from referrals import services as referral_services


class Command(BaseCommand):
    help = "Reminders, expiries and invitation retries (safe to run often)."

    def handle(self, *args, **options):
        sent = services.responsibility_reminders_send()
        self.stdout.write(
            "Responsibility reminders: "
            + ", ".join(
                f"{count} {kind.replace('_', ' ')}" for kind, count in sent.items()
            )
        )
        self.stdout.write(f"MOUs expired: {mou_services.mou_expire_due()}")
        self.stdout.write(
            f"MOU renewal reminders: {mou_services.mou_renewal_reminders_send()}"
        )
        self.stdout.write(f"Invitations re-sent: {meeting_services.deliveries_retry()}")
        self.stdout.write(
            f"Referral reminders: {referral_services.referral_reminders_send()}"
        )
        self.stdout.write(
            f"Directory owners reminded: {directory_services.directory_stale_remind()}"
        )
