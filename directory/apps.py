from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Resource directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from partnerships import reminders

        from . import services

        reminders.register("directory", services.directory_due_reminders)
