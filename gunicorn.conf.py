"""gunicorn for every deployment: `make serve`, the systemd units, the containers.

Tuned from the environment: BIND (or HOST and PORT), WEB_CONCURRENCY (worker
processes), WEB_THREADS, WEB_TIMEOUT. Sizing: README, "Deploying"."""

import os

from cms.env import load_env_file

# The same environment file as manage.py and cms.wsgi; the environment wins.
load_env_file()

wsgi_app = "cms.wsgi:application"
bind = os.environ.get("BIND") or (
    f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "1"))
# A request still running after this long is killed and its worker replaced.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Replace workers now and then so a slow leak never grows without limit.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# X-Forwarded-Proto and X-Forwarded-For are read by Django (SECURE_PROXY_SSL_HEADER,
# TRUSTED_PROXY_COUNT); gunicorn passes them on from the addresses in
# FORWARDED_ALLOW_IPS (gunicorn's own variable; default 127.0.0.1).
