from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Shared accountability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from partnerships import reminders

        from . import figure_cache

        # After every migrate, since SQLite drops triggers with a rebuilt table.
        post_migrate.connect(
            lambda using, **kwargs: figure_cache.install_triggers(using),
            sender=self,
            weak=False,
        )

        from .services import responsibilities

        reminders.register(
            "responsibility", responsibilities.responsibility_due_reminders
        )
