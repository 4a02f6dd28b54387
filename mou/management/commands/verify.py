"""manage.py verify <file.pdf>…: is each file an executed MOU's PDF, sealed by
this workspace and unchanged since?"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mou.public import answer


class Command(BaseCommand):
    help = (
        "Check that PDFs carry this workspace's intact seal and belong to an "
        "executed MOU. Exits with an error if any does not."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        failed = []
        for path in files:
            result = answer(data=path.read_bytes())
            if result["yes"]:
                self.stdout.write(
                    f"{path}: valid — sealed by this workspace, unchanged, an "
                    f"agreement executed on {result['executed_on']:%d %B %Y}."
                )
            else:
                self.stdout.write(f"{path}: NOT valid — {result['why']}")
                failed.append(str(path))
        if failed:
            raise CommandError("Not valid: " + ", ".join(failed))
