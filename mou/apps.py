from django.apps import AppConfig


class MouConfig(AppConfig):
    name = "mou"
    verbose_name = "Memoranda of understanding"
    default_auto_field = "django.db.models.BigAutoField"
