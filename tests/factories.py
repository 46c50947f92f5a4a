"""Plain builder functions for test data: readable defaults, unique values, no fixtures library."""

import itertools
from datetime import date

from django.contrib.auth import get_user_model

from kapstone.clients.models import DEFAULT_CARE_TEAM_ROLE, CareTeamMember, Client
from kapstone.pathway.models import Episode
from kapstone.practice.models import Membership, Practice
from kapstone.practice.tenancy import scopes_disabled

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_practice(**fields) -> Practice:
    n = next(_seq)
    fields.setdefault("name", f"Practice {n}")
    fields.setdefault("slug", f"practice-{n}")
    fields.setdefault("time_zone", "America/Chicago")
    return Practice.objects.create(**fields)


def make_user(**fields):
    n = next(_seq)
    fields.setdefault("email", f"user{n}@example.test")
    fields.setdefault("full_name", f"Staff Member {n}")
    password = fields.pop("password", PASSWORD)
    return get_user_model().objects.create_user(password=password, **fields)


def make_member(practice: Practice, role: str, **fields) -> Membership:
    user = fields.pop("user", None) or make_user(
        **{k: fields.pop(k) for k in ("email", "full_name") if k in fields}
    )
    return Membership.objects.create(practice=practice, user=user, role=role, **fields)


def make_client(practice: Practice, care_team=(), episode_state=None, **fields) -> Client:
    n = next(_seq)
    fields.setdefault("legal_first_name", f"Client{n}")
    fields.setdefault("legal_last_name", f"Testperson{n}")
    fields.setdefault("date_of_birth", date(1985, 6, 15))
    fields.setdefault("record_number", f"T-{n:05d}")
    with scopes_disabled():
        client = Client.objects.create(practice=practice, **fields)
        for membership in care_team:
            CareTeamMember.objects.create(
                practice=practice,
                client=client,
                membership=membership,
                role=DEFAULT_CARE_TEAM_ROLE[membership.role],
            )
        if episode_state:
            Episode.objects.create(practice=practice, client=client, state=episode_state)
    return client


def make_client_account(client, **fields):
    """A portal sign-in for ``client`` (password PASSWORD)."""
    from kapstone.portal.models import ClientAccount

    user = make_user(full_name=client.display_name)
    with scopes_disabled():
        return ClientAccount.objects.create(practice=client.practice, client=client, user=user, **fields)
