"""A GIN index for the public search on PostgreSQL (other databases search
without one)."""

from django.db import migrations


def _index():
    from django.contrib.postgres.indexes import GinIndex

    from directory.selectors import search_document

    return GinIndex(search_document(), name="directory_service_search")


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("directory", "DirectoryService"), _index())


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(
            apps.get_model("directory", "DirectoryService"), _index()
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_screener_fields")]

    operations = [migrations.RunPython(add, remove)]
