from django.urls import reverse

from kapstone.audit.models import AuditEvent

from ..factories import PASSWORD


def test_sign_in_with_email_in_any_case_and_it_is_audited(client, world, scoped):
    user = world.members["therapist"].user
    response = client.post(reverse("accounts:login"), {"username": user.email.upper(), "password": PASSWORD})
    assert response["Location"] == reverse("home:index")
    event = AuditEvent.objects.get(action="accounts.login.succeeded")
    assert (event.actor, event.practice, event.actor_role) == (user, world.practice, "therapist")


def test_a_wrong_password_gets_a_clear_message_and_keeps_the_email(client, world, scoped):
    user = world.members["therapist"].user
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "nope"})
    page = response.content.decode()
    assert "That email and password do not match an account." in page
    assert f'value="{user.email}"' in page
    assert AuditEvent.objects.filter(action="accounts.login.failed").count() == 1


def test_repeated_failures_lock_the_account_out_with_a_clear_message(client, world, settings, scoped):
    user = world.members["therapist"].user
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"})
    locked = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()


def test_staff_are_signed_out_after_the_idle_timeout(client, world, settings, scoped):
    import time_machine
    from django.utils import timezone

    user = world.members["therapist"].user
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    start = timezone.now()
    with time_machine.travel(start + settings.KAPSTONE_IDLE_TIMEOUT / 2, tick=False):
        assert client.get(reverse("clients:list")).status_code == 200
    with time_machine.travel(start + settings.KAPSTONE_IDLE_TIMEOUT * 1.4, tick=False):
        assert client.get(reverse("clients:list")).status_code == 200  # activity restarted the clock
    with time_machine.travel(start + settings.KAPSTONE_IDLE_TIMEOUT * 2.5, tick=False):
        response = client.get(reverse("clients:list"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "signed out after 15 minutes without activity" in response.content.decode()
