import datetime

from django.db import migrations


def copy_stale_reminders(apps, schema_editor):
    """An owner reminded this month is not reminded again after the upgrade."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Reminder = apps.get_model("partnerships", "Reminder")
    DirectoryService = apps.get_model("directory", "DirectoryService")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="directory", model="directoryservice"
    )
    for pk, reminded_on in DirectoryService.objects.filter(
        stale_reminded_on__isnull=False
    ).values_list("pk", "stale_reminded_on"):
        reminder, _ = Reminder.objects.get_or_create(
            content_type=content_type,
            object_id=pk,
            kind="directory.stale",
            due_date=reminded_on.replace(day=1),
        )
        Reminder.objects.filter(pk=reminder.pk).update(
            sent_at=datetime.datetime.combine(
                reminded_on, datetime.time(), tzinfo=datetime.UTC
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("directory", "0002_own_table"),
        ("partnerships", "0011_reminder"),
    ]

    operations = [
        migrations.RunPython(copy_stale_reminders, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="directoryservice",
            name="stale_reminded_on",
        ),
    ]
