from django.apps import AppConfig


class LogicModelsConfig(AppConfig):
    name = "logicmodels"
    verbose_name = "Logic models"
    default_auto_field = "django.db.models.BigAutoField"
