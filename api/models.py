"""
API keys for syndicators and the requests each key made per day.

A key is shown once, when it is created; only its SHA-256 is stored, so a copy of the database
cannot be used to call the API. The prefix (the key's first characters) is stored as well, so the
admin and a syndicator can tell their keys apart without either seeing the secret.
"""

import hashlib
import secrets

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

PREFIX_LENGTH = 8


def hash_key(key):
    """Return the SHA-256 (hex) of a key, the only form of it that is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    name = models.CharField(max_length=120, help_text="What the key is for, e.g. “NHS app syndication”.")
    owner = models.CharField(
        max_length=200, help_text="Who holds the key: the organisation and a contact, to ask before revoking it."
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set by the “Revoke” action; a revoked key gets 401."
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def set_new_key(self):
        """Give this (unsaved) row a new key and return the key: only its prefix and hash are kept."""
        self.prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        key = f"{self.prefix}.{secrets.token_urlsafe(32)}"
        self.hashed_key = hash_key(key)
        return key

    def save_new(self):
        """Save a new row with a new key and return the key; show it now, it cannot be shown again."""
        while True:
            key = self.set_new_key()
            try:
                with transaction.atomic():
                    self.save(force_insert=True)
                return key
            except IntegrityError:  # the prefix is taken (1 in 4 billion per key): draw another
                if not ApiKey.objects.filter(prefix=self.prefix).exists():
                    raise

    @classmethod
    def generate(cls, *, name, owner):
        """Create a key and return (the row, the key itself)."""
        row = cls(name=name, owner=owner)
        return row, row.save_new()

    @classmethod
    def find(cls, key):
        """Return the stored key matching ``key`` (revoked or not), or None."""
        return cls.objects.filter(hashed_key=hash_key(key)).first()

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class DailyUsage(models.Model):
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "key"]
        verbose_name = "daily usage"
        verbose_name_plural = "daily usage"
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="api_usage_one_row_per_key_and_day")]

    def __str__(self):
        return f"{self.key}: {self.requests} on {self.day}"

    @classmethod
    def count(cls, key):
        """Add one request to the key's count for today, in the database (F()), so concurrent requests all count."""
        day = timezone.localdate()
        if cls.objects.filter(key=key, day=day).update(requests=F("requests") + 1):
            return
        try:
            with transaction.atomic():
                cls.objects.create(key=key, day=day, requests=1)
        except IntegrityError:  # another request created today's row first
            cls.objects.filter(key=key, day=day).update(requests=F("requests") + 1)
