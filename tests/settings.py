"""Test settings: the production settings module with what the tests need set explicitly."""

import os

os.environ.setdefault("KAPSTONE_ENVIRONMENT", "test")
os.environ.setdefault("KAPSTONE_SECRET_KEY", "test-secret-key-not-used-anywhere-else-" + "x" * 20)
os.environ.setdefault("KAPSTONE_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("KAPSTONE_HTTPS", "false")
os.environ.setdefault("KAPSTONE_REQUIRE_2FA", "false")
os.environ.setdefault("KAPSTONE_TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("KAPSTONE_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from kapstone.settings import *  # noqa: F403

# Fast, deterministic tests: a cheap hasher and no manifest for static files.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
