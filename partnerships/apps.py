from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import reminders
        from .services import accountability

        reminders.register(
            "responsibility", accountability.responsibility_due_reminders
        )
