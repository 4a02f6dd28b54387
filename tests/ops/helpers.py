"""Running the project's own commands the way an operator does: a fresh process,
an environment file, nothing inherited from the test settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def clean_env(**overrides: str) -> dict[str, str]:
    """The test runner's environment without its settings module."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "ENV_FILE", "REDIS_URL"}
    }
    env.update(overrides)
    return env


def write_env_file(path: Path, **values: str) -> Path:
    path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
    return path


def production_values(tmp_path: Path, **overrides: str) -> dict[str, str]:
    values = {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "partners.example.org",
        "BASE_URL": "https://partners.example.org",
        "EMAIL_URL": "smtp://127.0.0.1:2525",
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    values.update(overrides)
    return values


def manage(*args: str, env: dict[str, str], timeout: float = 120):
    return subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
