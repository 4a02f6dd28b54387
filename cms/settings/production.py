"""Production: the same settings, tightened. Refuses to start without a real key
and the addresses it serves."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if len(os.environ.get("SECRET_KEY", "")) < 50:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random value of at least 50 characters in production "
        "(README, 'Deploying'; `make env` writes a .env to start from)."
    )
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured(
        "Set ALLOWED_HOSTS to the host names this site answers in production."
    )

PRODUCTION = True
DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
