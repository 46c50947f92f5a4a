"""How many password-reset emails one address may be sent (docs/links.md, "Password reset").

The reset page answers the same whether or not the address has an account, so the limit applies to
every address typed and is silent: a throttled request shows the same page and sends nothing. The
count lives in Django's cache under a hash of the address (no address is stored); with the default
per-process cache each server process counts on its own, which bounds a flood but is not exact.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def _key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"kapstone:password-reset:{digest}"


def may_send_reset_email(email: str) -> bool:
    """Count one request for ``email``; False once this hour's allowance is used up."""
    key = _key(email)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= settings.KAPSTONE_PASSWORD_RESET_EMAILS_PER_HOUR
