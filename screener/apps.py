from django.apps import AppConfig


class ScreenerConfig(AppConfig):
    name = "screener"
    verbose_name = "Needs screener"
    default_auto_field = "django.db.models.BigAutoField"
