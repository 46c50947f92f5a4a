import pytest
from django.core.management import CommandError, call_command

from kapstone.accounts.models import Invitation
from kapstone.practice.models import Membership, Practice


def create(capsys, **extra):
    args = {
        "name": "Lakeside KAP",
        "time_zone": "America/Chicago",
        "admin_email": "ada@example.test",
        "admin_name": "Ada Owner",
        **extra,
    }
    call_command("createpractice", *[f"--{k.replace('_', '-')}={v}" for k, v in args.items()])
    return capsys.readouterr().out


def test_it_creates_the_practice_and_invites_the_first_admin(db, capsys):
    out = create(capsys, site_url="https://kap.example.org")
    practice = Practice.objects.get(slug="lakeside-kap")
    membership = Membership.objects.get(practice=practice)
    assert membership.role == "admin" and membership.user.email == "ada@example.test"
    assert "https://kap.example.org/accounts/invitation/" in out
    token = out.rsplit("/accounts/invitation/", 1)[1].strip().rstrip("/")
    assert Invitation.objects.by_link(token).user == membership.user


def test_it_refuses_an_unknown_time_zone_and_a_duplicate(db, capsys):
    with pytest.raises(CommandError, match="not a time zone"):
        create(capsys, time_zone="Mars/Olympus")
    create(capsys)
    with pytest.raises(CommandError, match="already exists"):
        create(capsys)
