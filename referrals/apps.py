from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import datetime

        from django.utils import timezone

        from partnerships import reminders

        from . import services

        def due(today: datetime.date):
            # tick passes a day; a referral is late by the hour, so keep the
            # time of day.
            now = timezone.localtime()
            if today != now.date():
                now = now.replace(year=today.year, month=today.month, day=today.day)
            return services.referral_due_reminders(now)

        reminders.register("referral", due)
