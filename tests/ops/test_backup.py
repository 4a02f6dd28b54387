"""make backup / make restore: every row and every media file comes back."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from partnerships.models import Organisation

from ..factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def every_row() -> dict[str, list[tuple]]:
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def every_media_file(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def test_a_restored_backup_has_every_row_and_media_file_back(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "documents").mkdir(parents=True)
    (settings.MEDIA_ROOT / "documents" / "mou.pdf").write_bytes(b"%PDF-1.7 " * 500)
    (settings.MEDIA_ROOT / "original_images").mkdir()
    (settings.MEDIA_ROOT / "original_images" / "logo.png").write_bytes(bytes(256))
    rows_before = every_row()
    media_before = every_media_file(settings.MEDIA_ROOT)
    assert sum(map(len, rows_before.values())) > 50

    out = io.StringIO()
    call_command("backup", "--into", str(tmp_path / "backups"), stdout=out)
    folder = Path(out.getvalue().strip())

    # What happens after the backup is lost by restoring it.
    Organisation.objects.filter(name="Unrelated Food Bank").delete()
    OrganisationFactory(name="Made after the backup")
    UserFactory(username="late")
    (settings.MEDIA_ROOT / "documents" / "mou.pdf").unlink()
    (settings.MEDIA_ROOT / "documents" / "later.pdf").write_bytes(b"later")
    assert every_row() != rows_before

    out = io.StringIO()
    call_command("restore", str(folder), "--noinput", stdout=out)
    assert "Restored" in out.getvalue()
    assert every_row() == rows_before
    assert every_media_file(settings.MEDIA_ROOT) == media_before


def test_a_folder_that_is_not_a_backup_is_refused(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore", str(tmp_path), "--noinput")
