import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    """The status becomes a django-fsm field changed only by transitions. The
    column stays a varchar(20) with the same values and index, so only Django's
    state changes: no table is rebuilt and no row is touched."""

    dependencies = [
        ("referrals", "0003_reminders_in_partnerships"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="status",
                    field=django_fsm.FSMField(
                        choices=[
                            ("requested", "Requested"),
                            ("accepted", "Accepted"),
                            ("rejected", "Rejected"),
                            ("in-progress", "In progress"),
                            ("on-hold", "On hold"),
                            ("completed", "Completed"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                            ("entered-in-error", "Entered in error"),
                        ],
                        db_index=True,
                        default="requested",
                        max_length=20,
                        protected=True,
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
