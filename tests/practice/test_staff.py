import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.practice.models import Membership


def invite(client, world, **overrides):
    client.force_login(world.members["admin"].user)
    data = {
        "full_name": "Noor Haddad",
        "email": "noor@example.test",
        "role": "monitor",
        "title": "RN",
        **overrides,
    }
    return client.post(reverse("practice:staff_invite"), data)


def invitation_link(message):
    return re.search(r"http://testserver(/accounts/invitation/\S+/)", message.body).group(1)


def test_an_admin_invites_staff_who_set_a_password_through_a_one_time_link(client, world, scoped):
    assert invite(client, world).status_code == 302
    member = Membership.objects.get(user__email="noor@example.test")
    assert (member.practice, member.role, member.title) == (world.practice, "monitor", "RN")
    assert not member.user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["noor@example.test"]
    link = invitation_link(mail.outbox[0])

    client.logout()
    assert "Welcome to Riverbend KAP" in client.get(link).content.decode()
    short = client.post(link, {"new_password1": "short", "new_password2": "short"})
    assert "too short" in short.content.decode()
    password = "a calm river at dawn 42"
    response = client.post(link, {"new_password1": password, "new_password2": password})
    assert response["Location"] == reverse("accounts:enroll")
    member.user.refresh_from_db()
    assert member.user.check_password(password)
    assert AuditEvent.objects.filter(action="accounts.invitation.accepted", actor=member.user).exists()

    client.logout()
    again = client.get(link)
    assert again.status_code == 404
    assert "This link does not work any more" in again.content.decode()


def test_an_invitation_link_expires(client, world, scoped):
    invite(client, world)
    link = invitation_link(mail.outbox[0])
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.get(link).status_code == 404


def test_inviting_someone_already_on_staff_is_refused(client, world, scoped):
    response = invite(client, world, email=world.members["therapist"].user.email.upper())
    assert "already on this practice" in response.content.decode()
    assert mail.outbox == []


def test_an_admin_changes_a_role_and_it_is_audited(client, world, scoped):
    client.force_login(world.members["admin"].user)
    therapist = world.members["therapist"]
    url = reverse("practice:staff_edit", args=[therapist.pk])
    client.post(url, {"role": "prescriber", "title": "PMHNP", "is_active": "on"})
    therapist.refresh_from_db()
    assert therapist.role == "prescriber"
    event = AuditEvent.objects.get(action="practice.staff.updated")
    assert event.data == {"fields": ["role", "title"]}


def test_an_admin_cannot_demote_or_deactivate_themself(client, world, scoped):
    admin = world.members["admin"]
    client.force_login(admin.user)
    response = client.post(
        reverse("practice:staff_edit", args=[admin.pk]), {"role": "therapist", "is_active": "on"}
    )
    assert "You cannot remove your own admin role" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_a_deactivated_member_can_no_longer_use_the_practice(client, world, scoped):
    therapist = world.members["therapist"]
    client.force_login(world.members["admin"].user)
    client.post(reverse("practice:staff_edit", args=[therapist.pk]), {"role": "therapist"})
    client.force_login(therapist.user)
    assert client.get(reverse("clients:list")).status_code == 403
