from django.apps import AppConfig


class MouConfig(AppConfig):
    name = "mou"
    verbose_name = "Memoranda of understanding"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from partnerships import reminders

        from .services import lifecycle

        reminders.register("mou", lifecycle.mou_due_reminders)
