"""`manage.py restore FOLDER`: put back a backup made by `manage.py backup`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.backups import backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and the media files with a backup. Stop the web "
        "processes and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A folder written by `manage.py backup`.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, folder, interactive, **options):
        path = Path(folder)
        if not (path / "manifest.json").is_file():
            raise CommandError(f"{path} is not a backup (no manifest.json).")
        if interactive:
            answer = input(
                f"Replace every row and media file with the backup in {path}? "
                "Type 'yes': "
            )
            if answer != "yes":
                raise CommandError("Nothing restored.")
        try:
            manifest = backup_restore(folder=path)
        except ValueError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Restored {rows} rows in {len(manifest['tables'])} tables and "
            f"{manifest['media_files']} media files from {manifest['created_at']}."
        )
