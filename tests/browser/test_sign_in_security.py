import re
from base64 import b32decode
from datetime import timedelta

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from ..factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_repeated_failed_sign_ins_lock_the_account(page, live_server, live_world, sign_in, settings):
    user = live_world.members["prescriber"].user
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(user, password="not the password")
        expect(page.get_by_role("alert")).to_contain_text("That email and password do not match")
    sign_in(user, password="not the password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing in is paused")
    sign_in(user, password=PASSWORD)  # even the right password waits out the cool-off
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing in is paused")


def test_an_idle_page_signs_itself_out(page, live_server, live_world, sign_in, settings):
    settings.KAPSTONE_IDLE_TIMEOUT = timedelta(seconds=2)
    sign_in(live_world.members["therapist"].user)
    expect(page.get_by_role("heading", level=1)).to_have_text("My clients")
    # No click, no typing: the page leaves by itself and the server has ended the session.
    expect(page).to_have_url(re.compile(r"/accounts/login/"), timeout=10_000)
    expect(page.get_by_text("You were signed out after")).to_be_visible()
    page.goto(live_server.url + reverse("clients:list"))
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def code_from_key(key_text: str, steps_ahead: int = 0) -> str:
    key = b32decode(key_text.replace(" ", "") + "=" * (-len(key_text.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.drift = steps_ahead
    return f"{totp.token():06d}"


def test_two_factor_enrollment_then_sign_in_with_a_code(page, live_server, live_world, sign_in, settings):
    settings.KAPSTONE_REQUIRE_2FA = True
    user = live_world.members["prescriber"].user
    sign_in(user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(code_from_key(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name=re.compile("I have saved my codes")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My clients")

    page.get_by_role("button", name="Sign out").click()
    sign_in(user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code").fill("000000" if code_from_key(secret, 1) != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    page.wait_for_timeout(1100)  # a wrong code makes the device wait a second before the next try
    # The enrolment code's time step is used up, so use the next one (within the allowed drift).
    page.get_by_label("Code").fill(code_from_key(secret, 1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My clients")


def test_forgot_password_then_sign_in_with_the_new_one_and_the_code(
    page, live_server, live_world, sign_in, settings, mailoutbox
):
    settings.KAPSTONE_REQUIRE_2FA = True
    user = live_world.members["therapist"].user
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    (message,) = mailoutbox
    link = re.search(r"http://\S+", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label(re.compile(r"^New password:?$")).fill("a brand new sentence for me")
    page.get_by_label("New password confirmation").fill("a brand new sentence for me")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("a brand new sentence for me")
    page.get_by_role("button", name="Sign in").click()
    # The reset changed the password only: the second factor is still asked for.
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Code").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My clients")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
