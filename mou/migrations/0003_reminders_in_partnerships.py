from django.db import migrations


def copy_renewal_reminders(apps, schema_editor):
    """A renewal reminder already sent stays sent after the upgrade."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Reminder = apps.get_model("partnerships", "Reminder")
    RenewalReminder = apps.get_model("mou", "RenewalReminder")
    content_type, _ = ContentType.objects.get_or_create(app_label="mou", model="mou")
    for old in RenewalReminder.objects.select_related("mou").iterator():
        if old.mou.end_date is None:
            continue
        reminder, _ = Reminder.objects.get_or_create(
            content_type=content_type,
            object_id=old.mou_id,
            kind=f"mou.renewal_{old.days_before}",
            due_date=old.mou.end_date,
        )
        Reminder.objects.filter(pk=reminder.pk).update(sent_at=old.sent_at)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mou", "0002_default_template"),
        ("partnerships", "0011_reminder"),
    ]

    operations = [
        migrations.RunPython(copy_renewal_reminders, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="RenewalReminder",
        ),
    ]
