from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapstone.audit.models import AuditEvent

from ..factories import PASSWORD


@pytest.fixture
def require_2fa(settings):
    settings.KAPSTONE_REQUIRE_2FA = True


def sign_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_without_a_device_staff_must_enroll_before_anything_else(client, world, require_2fa, scoped):
    user = world.members["therapist"].user
    sign_in(client, user)
    response = client.get(reverse("clients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:enroll"))
    page = client.get(reverse("accounts:enroll")).content.decode()
    assert "<svg" in page and "totp-secret" in page


def test_enrolling_confirms_the_app_and_shows_recovery_codes_once(client, world, require_2fa, scoped):
    user = world.members["therapist"].user
    sign_in(client, user)
    client.get(reverse("accounts:enroll"))
    device = TOTPDevice.objects.get(user=user)
    wrong = client.post(
        reverse("accounts:enroll"), {"code": "000000" if current_code(device) != "000000" else "1"}
    )
    assert "That code did not match" in wrong.content.decode()
    device.refresh_from_db()
    # A wrong code makes the device wait before it accepts another (brute-force throttling).
    with time_machine.travel(device.throttling_failure_timestamp + timedelta(seconds=2), tick=False):
        response = client.post(reverse("accounts:enroll"), {"code": current_code(device)})
    assert response["Location"] == reverse("accounts:recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    codes = client.get(reverse("accounts:recovery_codes")).context["codes"]
    assert len(codes) == 10
    assert client.get(reverse("accounts:recovery_codes")).context["codes"] is None
    assert client.get(reverse("clients:list")).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.2fa.enrolled", actor=user).exists()


def enrolled(user):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def test_signing_in_asks_for_the_code_and_accepts_a_valid_one(client, world, require_2fa, scoped):
    user = world.members["prescriber"].user
    device = enrolled(user)
    sign_in(client, user)
    response = client.get(reverse("clients:list"))
    assert response["Location"].startswith(reverse("accounts:verify"))
    bad = client.post(reverse("accounts:verify"), {"code": "12345"})
    assert "That code is not right" in bad.content.decode()
    assert AuditEvent.objects.filter(action="accounts.2fa.failed").exists()
    device.refresh_from_db()
    with time_machine.travel(device.throttling_failure_timestamp + timedelta(seconds=2), tick=False):
        ok = client.post(reverse("accounts:verify"), {"code": current_code(device), "next": "/clients/"})
    assert ok["Location"] == "/clients/"
    assert client.get(reverse("clients:list")).status_code == 200


def test_a_recovery_code_works_exactly_once(client, world, require_2fa, scoped):
    from kapstone.accounts.two_factor import new_recovery_codes

    user = world.members["prescriber"].user
    enrolled(user)
    code = new_recovery_codes(user)[0]
    sign_in(client, user)
    assert client.post(reverse("accounts:verify"), {"code": code})["Location"] == reverse("home:index")
    assert StaticToken.objects.filter(token=code).count() == 0
    client.logout()
    sign_in(client, user)
    assert (
        "That code is not right" in client.post(reverse("accounts:verify"), {"code": code}).content.decode()
    )


def test_a_member_with_a_device_is_asked_for_it_even_when_2fa_is_optional(client, world, scoped):
    user = world.members["monitor"].user
    enrolled(user)
    sign_in(client, user)
    assert client.get(reverse("home:index"))["Location"].startswith(reverse("accounts:verify"))


def test_an_offsite_next_url_is_ignored(client, world, require_2fa, scoped):
    user = world.members["prescriber"].user
    device = enrolled(user)
    sign_in(client, user)
    response = client.post(
        reverse("accounts:verify"), {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home:index")
