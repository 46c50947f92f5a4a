"""Forgot your password: a one-time emailed link, the same answer for any address, two-factor kept."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapstone.audit.models import AuditEvent

from ..factories import PASSWORD
from .test_two_factor import enrolled, sign_in

NEW_PASSWORD = "a brand new sentence for me"
LINK = re.compile(r"https?://testserver(/\S+/)")


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def ask_for_reset(client, email, url_name="accounts:password_reset"):
    return client.post(reverse(url_name), {"email": email}, follow=True)


def page_text(response):
    # The page's nonce differs per response; everything a visitor sees must not.
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


def emailed_link():
    (message,) = mail.outbox
    return LINK.search(message.body).group(1)


def choose_password(client, link, password=NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    return client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"new_password1": password, "new_password2": password},
    )


def can_sign_in(user, password):
    user.refresh_from_db()
    return user.check_password(password)


def test_a_known_address_gets_a_link_and_an_unknown_one_sees_the_same_page(client, world, scoped):
    user = world.members["therapist"].user
    known = ask_for_reset(client, user.email.upper())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "works once, for 60 minutes" in mail.outbox[0].body
    unknown = ask_for_reset(client, "nobody@example.test")
    assert len(mail.outbox) == 1
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("accounts:password_reset_done"), 302)]
    assert page_text(known) == page_text(unknown)
    assert "Check your email" in page_text(known)
    events = AuditEvent.objects.filter(action="accounts.password.reset_requested")
    # The trail does not say which request matched an account either.
    assert [(e.actor_id, e.practice_id, e.client_id, e.data) for e in events] == [(None, None, None, {})] * 2


def test_the_link_sets_a_new_password_once(client, world, scoped):
    user = world.members["therapist"].user
    ask_for_reset(client, user.email)
    link = emailed_link()
    done = choose_password(client, link)
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert can_sign_in(user, NEW_PASSWORD) and not can_sign_in(user, PASSWORD)
    event = AuditEvent.objects.get(action="accounts.password.reset_done")
    assert event.actor == user and event.practice == world.practice

    again = client.get(link, follow=True)
    assert "This link does not work" in again.content.decode()
    choose_password(client, link, password="yet another long sentence")
    assert can_sign_in(user, NEW_PASSWORD)


def test_an_inactive_account_gets_no_email(client, world, scoped):
    user = world.members["therapist"].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = ask_for_reset(client, user.email)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_a_reset_keeps_two_factor(client, world, settings, scoped):
    settings.KAPSTONE_REQUIRE_2FA = True
    user = world.members["prescriber"].user
    device = enrolled(user)
    ask_for_reset(client, user.email)
    choose_password(client, emailed_link())
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    # The reset did not sign anyone in; signing in with the new password still asks for the code.
    assert client.get(reverse("clients:list"))["Location"].startswith(reverse("accounts:login"))
    client.post(reverse("accounts:login"), {"username": user.email, "password": NEW_PASSWORD})
    assert client.get(reverse("clients:list"))["Location"].startswith(reverse("accounts:verify"))


def test_one_address_gets_a_few_emails_an_hour_and_then_the_same_page(client, world, settings, scoped):
    user = world.members["therapist"].user
    for _ in range(settings.KAPSTONE_PASSWORD_RESET_EMAILS_PER_HOUR):
        ask_for_reset(client, user.email)
    assert len(mail.outbox) == settings.KAPSTONE_PASSWORD_RESET_EMAILS_PER_HOUR
    response = ask_for_reset(client, user.email)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == settings.KAPSTONE_PASSWORD_RESET_EMAILS_PER_HOUR


def test_a_client_resets_through_the_portal_pages(client, world, scoped):
    user = world.client_account.user
    assert "Forgot your password?" in client.get(reverse("portal:login")).content.decode()
    ask_for_reset(client, user.email, "portal:password_reset")
    link = emailed_link()
    assert link.startswith("/portal/password-reset/")
    assert choose_password(client, link)["Location"] == reverse("portal:password_reset_complete")
    assert can_sign_in(user, NEW_PASSWORD)
    event = AuditEvent.objects.get(action="accounts.password.reset_done")
    assert event.actor == user and event.practice == world.practice


def test_the_sign_in_page_offers_the_reset(client, db):
    assert reverse("accounts:password_reset") in client.get(reverse("accounts:login")).content.decode()


def test_signing_in_leaves_no_reset_behind(client, world, scoped):
    # Signing in changes last_login, which Django signs into the token: an old link stops working.
    user = world.members["therapist"].user
    ask_for_reset(client, user.email)
    link = emailed_link()
    sign_in(client, user)
    client.logout()
    assert "This link does not work" in client.get(link, follow=True).content.decode()
