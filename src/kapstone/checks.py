"""System checks that refuse an unsafe production configuration (stable ids kapstone.E00x).

They run with every management command, and ``wsgi.py`` runs them before serving, so a production
server with DEBUG on, no real secret key or no allowed hosts never starts.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

WEAK_SECRETS = {"", "changeme", "change-me", "secret", "django-insecure", "kapstone"}


@register(Tags.security)
def production_settings(app_configs, **kwargs):
    if settings.ENVIRONMENT != "production":
        return []
    errors = []
    if settings.DEBUG:
        errors.append(
            Error(
                "DEBUG is on in production.",
                hint="Unset KAPSTONE_DEBUG. Debug pages show settings and data to anyone.",
                id="kapstone.E001",
            )
        )
    secret = settings.SECRET_KEY
    if (
        secret.strip().lower() in WEAK_SECRETS
        or secret.startswith(("django-insecure", settings.INSECURE_SECRET_PREFIX))
        or len(secret) < 50
    ):
        errors.append(
            Error(
                "The secret key is missing, a default, or shorter than 50 characters.",
                hint="Set KAPSTONE_SECRET_KEY (or KAPSTONE_SECRET_KEY_FILE) to a long random value, e.g. "
                "the output of: python -c 'import secrets; print(secrets.token_urlsafe(64))'",
                id="kapstone.E002",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty.",
                hint="Set KAPSTONE_ALLOWED_HOSTS to the host names the practice uses, comma-separated.",
                id="kapstone.E003",
            )
        )
    return errors
