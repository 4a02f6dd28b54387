from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
