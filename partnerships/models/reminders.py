from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Reminder(models.Model):
    """A reminder that went out, so `manage.py tick` never sends it twice."""

    # Any app's object: a responsibility, an MOU, a referral, a directory entry.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # "<app>.<what>", e.g. "responsibility.overdue" or "mou.renewal_30".
    kind = models.CharField(max_length=40)
    # What the reminder is about: the deadline it announces, or for repeating
    # nudges the start of the period, so the next period reminds again.
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # The only guard against double sending: two ticks at once both try
            # the insert and the database lets exactly one of them through.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "due_date"],
                name="reminder_sent_once",
            )
        ]
        indexes = [models.Index(fields=["kind", "sent_at"])]

    def __str__(self):
        return f"{self.kind} for #{self.object_id} ({self.due_date})"
