"""Keys that partners' own systems (EHRs, referral platforms, reporting tools)
use to reach the workspace's API on behalf of one organisation."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnerships.models import Organisation


def key_hash(key: str) -> str:
    """What is stored of a key: its SHA-256. The key itself is shown once."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A key another system of the organisation uses to read (or update) what
    the organisation may, through the API. Kept only as a hash."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read-write", "Read and write"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="Which system uses it.")
    scope = models.CharField(max_length=12, choices=Scope.choices)
    # The account the token acts as: a member of the organisation without a
    # password, so the one access policy decides what the token reaches.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, to tell keys apart in the list.
    prefix = models.CharField(max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "name", "pk"]

    def __str__(self):
        return f"API token “{self.name}” of {self.organisation}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def may_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE


class ApiTokenUse(models.Model):
    """One request made with a token: what was asked and the answer's status."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["token", "-at"])]

    def __str__(self):
        return f"{self.method} {self.path} → {self.status}"
