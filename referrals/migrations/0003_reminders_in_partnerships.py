from django.db import migrations
from django.utils import timezone


def copy_late_reminders(apps, schema_editor):
    """Late-referral reminders were recorded only as referral events; each one
    becomes a Reminder row so it is not sent again after the upgrade."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Reminder = apps.get_model("partnerships", "Reminder")
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="referrals", model="referral"
    )
    events = ReferralEvent.objects.filter(
        kind__in=["reminder: acknowledge", "reminder: outcome"]
    ).select_related("referral")
    for event in events.iterator():
        reminder, _ = Reminder.objects.get_or_create(
            content_type=content_type,
            object_id=event.referral_id,
            kind="referral." + event.kind.removeprefix("reminder: "),
            due_date=timezone.localdate(event.referral.requested_at),
        )
        Reminder.objects.filter(pk=reminder.pk).update(sent_at=event.at)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("partnerships", "0011_reminder"),
        ("referrals", "0002_own_tables"),
    ]

    operations = [
        migrations.RunPython(copy_late_reminders, migrations.RunPython.noop),
    ]
