"""The figure cache's triggers as a migration step, so that migrating back
removes them before the version table they write to goes (post_migrate puts
them back after every `migrate` too, since SQLite drops a rebuilt table's)."""

from django.db import migrations


def install(apps, schema_editor):
    from accountability import figure_cache

    figure_cache.install_triggers(schema_editor.connection.alias)


def remove(apps, schema_editor):
    from accountability import figure_cache

    figure_cache.remove_triggers(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("accountability", "0004_figures_version")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
