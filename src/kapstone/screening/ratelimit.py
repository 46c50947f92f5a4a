"""A small database-backed token bucket: N actions per period for one caller, refilled continuously.

The caller is stored as a keyed hash (HMAC with the secret key) of the scope and the IP address, so
the table never holds an address. Works on every database the project supports; on PostgreSQL the row
lock serialises concurrent requests from one caller.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import RateLimitBucket

# Inquiries per IP address: 5 at once, refilled at 5 per hour. Override with
# KAPSTONE_INQUIRY_RATE_LIMIT = (capacity, seconds) in the settings.
INQUIRY_RATE = (5, 3600)


def inquiry_rate() -> tuple[int, int]:
    return tuple(getattr(settings, "KAPSTONE_INQUIRY_RATE_LIMIT", INQUIRY_RATE))


def bucket_key(scope: str, ident: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{ident}".encode(), hashlib.sha256).hexdigest()


def take_token(scope: str, ident: str, capacity: int, period_seconds: int, now=None) -> bool:
    """Spend one token of the caller's bucket; False (and nothing spent) when the bucket is empty."""
    now = now or timezone.now()
    key = bucket_key(scope, ident or "unknown")
    rate = capacity / period_seconds
    for _attempt in range(2):
        try:
            with transaction.atomic():
                bucket = RateLimitBucket.objects.select_for_update().filter(key=key).first()
                if bucket is None:
                    RateLimitBucket.objects.create(key=key, tokens=capacity - 1, updated_at=now)
                    return True
                elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
                tokens = min(float(capacity), bucket.tokens + elapsed * rate)
                if tokens < 1:
                    RateLimitBucket.objects.filter(pk=bucket.pk).update(tokens=tokens, updated_at=now)
                    return False
                RateLimitBucket.objects.filter(pk=bucket.pk).update(tokens=tokens - 1, updated_at=now)
                return True
        except IntegrityError:  # two first requests at once: the other one created the row
            continue
    return False


def forget_idle_buckets(period_seconds: int, now=None) -> int:
    """Delete buckets untouched for a whole period: they are full again, so nothing is lost."""
    now = now or timezone.now()
    deleted, _ = RateLimitBucket.objects.filter(
        updated_at__lt=now - timedelta(seconds=period_seconds)
    ).delete()
    return deleted
