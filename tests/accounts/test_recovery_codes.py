"""Recovery codes are replaced only with the current password in the same request."""

from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from kapstone.accounts.two_factor import new_recovery_codes
from kapstone.audit.models import AuditEvent

from ..factories import PASSWORD
from .test_two_factor import current_code, enrolled, sign_in


def signed_in_with_codes(client, user):
    device = enrolled(user)
    codes = new_recovery_codes(user)
    sign_in(client, user)
    client.post(reverse("accounts:verify"), {"code": current_code(device)})
    return codes


def tokens(user):
    return set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def test_a_bare_post_changes_nothing(client, world, scoped):
    user = world.members["therapist"].user
    codes = signed_in_with_codes(client, user)
    response = client.post(reverse("accounts:recovery_codes"))
    assert response.status_code == 200
    assert "Current password: This field is required." in response.content.decode()
    assert response.context["codes"] is None
    assert tokens(user) == set(codes)
    assert not AuditEvent.objects.filter(action="accounts.2fa.recovery_codes.created").exists()


def test_a_wrong_password_changes_nothing(client, world, scoped):
    user = world.members["therapist"].user
    codes = signed_in_with_codes(client, user)
    response = client.post(reverse("accounts:recovery_codes"), {"password": "not my password"})
    assert "That is not your current password. Nothing was changed." in response.content.decode()
    assert tokens(user) == set(codes)
    # The wrong guess counts like a failed sign-in.
    assert AuditEvent.objects.filter(action="accounts.login.failed").exists()


def test_the_current_password_makes_new_codes_shown_once(client, world, scoped):
    user = world.members["therapist"].user
    old = signed_in_with_codes(client, user)
    response = client.post(reverse("accounts:recovery_codes"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:recovery_codes")
    shown = client.get(reverse("accounts:recovery_codes")).context["codes"]
    assert set(shown) == tokens(user) and not set(shown) & set(old)
    assert client.get(reverse("accounts:recovery_codes")).context["codes"] is None
    assert AuditEvent.objects.filter(action="accounts.2fa.recovery_codes.created", actor=user).exists()


def test_adding_a_second_app_leaves_the_recovery_codes_alone(client, world, scoped):
    user = world.members["therapist"].user
    codes = signed_in_with_codes(client, user)
    client.get(reverse("accounts:enroll"))
    pending = user.totpdevice_set.get(confirmed=False)
    response = client.post(reverse("accounts:enroll"), {"code": current_code(pending)})
    assert response["Location"] == reverse("accounts:security")
    assert tokens(user) == set(codes)
