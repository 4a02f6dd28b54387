from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Shared accountability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from partnerships import reminders

        from .services import responsibilities

        reminders.register(
            "responsibility", responsibilities.responsibility_due_reminders
        )
