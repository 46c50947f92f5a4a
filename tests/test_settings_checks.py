"""Production refuses to start with an unsafe configuration (kapstone.E001-E003)."""

import os
import subprocess
import sys

import pytest

GOOD = {
    "KAPSTONE_ENVIRONMENT": "production",
    "KAPSTONE_SECRET_KEY": "k" * 64,
    "KAPSTONE_ALLOWED_HOSTS": "kap.example.org",
    "DJANGO_SETTINGS_MODULE": "kapstone.settings",
}


def kapstone_check(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KAPSTONE_", "DJANGO_"))}
    full = {**base, **GOOD, "KAPSTONE_DATA_DIR": str(tmp_path), **env}
    full = {k: v for k, v in full.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-m", "kapstone.cli", "check"], env=full, capture_output=True, text=True, timeout=120
    )


def test_a_safe_production_configuration_passes(tmp_path):
    result = kapstone_check(tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "check_id"),
    [
        ({"KAPSTONE_DEBUG": "true"}, "kapstone.E001"),
        ({"KAPSTONE_SECRET_KEY": None}, "kapstone.E002"),
        ({"KAPSTONE_SECRET_KEY": "changeme"}, "kapstone.E002"),
        ({"KAPSTONE_ALLOWED_HOSTS": ""}, "kapstone.E003"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, env, check_id):
    result = kapstone_check(tmp_path, **env)
    assert result.returncode != 0
    assert check_id in result.stderr


def test_the_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 64 + "\n")
    result = kapstone_check(tmp_path, KAPSTONE_SECRET_KEY=None, KAPSTONE_SECRET_KEY_FILE=str(secret))
    assert result.returncode == 0, result.stderr


def test_nonsense_values_are_refused_by_name(tmp_path):
    result = kapstone_check(tmp_path, KAPSTONE_REQUIRE_2FA="maybe")
    assert result.returncode != 0
    assert "KAPSTONE_REQUIRE_2FA must be true or false" in result.stderr


def test_the_wsgi_server_refuses_to_start_with_unsafe_settings(tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KAPSTONE_", "DJANGO_"))}
    env = {**base, **GOOD, "KAPSTONE_DATA_DIR": str(tmp_path), "KAPSTONE_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", "import kapstone.wsgi"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "kapstone refuses to start" in result.stderr and "kapstone.E001" in result.stderr
