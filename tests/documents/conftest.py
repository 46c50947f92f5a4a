"""Fixtures for printed documents."""

import pytest


@pytest.fixture
def templates(settings):
    """Test templates beside kapstone's own (which hold documents/base.html)."""
    found: dict[str, str] = {}
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", found),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    return found
