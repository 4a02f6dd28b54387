"""`manage.py backup`: the database and the media files into a new folder."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cms.backups import backup_create


class Command(BaseCommand):
    help = "Back up the database and the media files (restore with `restore`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--into",
            default=os.environ.get("BACKUP_DIR") or str(settings.VAR_DIR / "backups"),
            help="Folder that receives the new backup folder (default: BACKUP_DIR, "
            "else var/backups).",
        )

    def handle(self, *args, into, **options):
        folder = backup_create(into=Path(into))
        self.stdout.write(str(folder))
