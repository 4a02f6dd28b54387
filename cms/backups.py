"""Backup and restore of the whole workspace: the database and the media files.

A backup is a folder: `database.pgdump` (pg_dump's custom format) or
`database.sqlite3` (SQLite's online backup API, consistent while the site runs),
`media.tar.gz`, and `manifest.json` with the row count of every table. Restoring
replaces the database's contents and the media folder with the backup's; stop
the web processes and workers first."""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


def _pg_command(program: str) -> tuple[list[str], dict[str, str]]:
    params = connection.settings_dict
    command = [program, "--no-owner", "--no-privileges", "--dbname", params["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            command += [flag, str(params[key])]
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return command, env


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def backup_create(*, into: Path) -> Path:
    """Write a new backup folder under `into`; return it."""
    folder = Path(into) / timezone.now().strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True)
    if connection.vendor == "postgresql":
        command, env = _pg_command("pg_dump")
        command += ["--format=custom", "--file", str(folder / PG_DUMP)]
        subprocess.run(command, env=env, check=True)  # noqa: S603
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(folder / SQLITE_COPY) as copy:
            connection.connection.backup(copy)
        copy.close()
    else:
        raise NotImplementedError(f"No backup for {connection.vendor}")

    media_root = Path(settings.MEDIA_ROOT)
    media_files = 0
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(media_root)))
                    media_files += 1
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "tables": table_counts(),
        "media_files": media_files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return folder


def backup_restore(*, folder: Path) -> dict:
    """Replace the database's contents and the media files with the backup in
    `folder`; return its manifest."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    if manifest["database"] != connection.vendor:
        raise ValueError(
            f"This backup is of a {manifest['database']} database, "
            f"not {connection.vendor}."
        )
    if connection.vendor == "postgresql":
        # Our own idle connections would hold no locks, but close them anyway.
        connection.close()
        command, env = _pg_command("pg_restore")
        command += [
            "--clean",
            "--if-exists",
            "--single-transaction",
            str(folder / PG_DUMP),
        ]
        subprocess.run(command, env=env, check=True)  # noqa: S603
    else:
        connection.ensure_connection()
        with sqlite3.connect(folder / SQLITE_COPY) as source:
            source.backup(connection.connection)
        source.close()

    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        # Empty the folder rather than remove it: it may be a mount point.
        for child in media_root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        archive.extractall(media_root, filter="data")
    return manifest
