"""The environment file: the one place a deployment is configured.

`manage.py`, the WSGI application, honcho (`make serve`), the systemd units and the
compose file all read the same file of `NAME=value` lines: `.env` beside
`manage.py`, or the file named by `ENV_FILE`. Variables already set in the
environment win, so a unit or a shell can override one line."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_file_path() -> Path:
    return Path(os.environ.get("ENV_FILE") or BASE_DIR / ".env")


def load_env_file() -> Path | None:
    """Put the file's variables into os.environ (without overriding); return its
    path, or None when there is no file (development)."""
    path = env_file_path()
    if not path.is_file():
        return None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ")
        name, sep, value = line.partition("=")
        if not sep:
            continue
        value = value.strip()
        # Same quoting as systemd's EnvironmentFile and compose's env_file.
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(name.strip(), value)
    return path
