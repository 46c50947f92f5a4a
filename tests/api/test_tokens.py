"""Personal API tokens: made on My account and shown once, stored hashed, refused once expired or
revoked, and limited to reading unless made read-write."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kapstone.api.models import ApiToken, TokenScope
from kapstone.audit.models import AuditEvent
from kapstone.practice.links import token_digest

from .builders import bearer, make_token

CLIENTS = "/api/v1/clients"


def create(client, member, **fields):
    client.force_login(member.user)
    data = {"name": "Outcomes export", "scope": "read", "days": "30", **fields}
    return client.post(reverse("api_tokens:list"), data)


def secret_in(response) -> str:
    html = response.content.decode()
    start = html.index('value="kap_') + len('value="')
    return html[start : html.index('"', start)]


def test_my_account_links_to_the_token_page(client, world):
    client.force_login(world.members["therapist"].user)
    page = client.get(reverse("accounts:security")).content.decode()
    assert reverse("api_tokens:list") in page


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(client, world, scoped):
    member = world.members["therapist"]
    response = create(client, member)
    assert response.status_code == 200
    assert "shown only this once" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    secret = secret_in(response)
    assert secret.startswith("kap_") and len(secret) > 40

    token = ApiToken.objects.get(membership=member)
    assert token.token_hash == token_digest(secret)
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert secret not in stored
    assert token.name == "Outcomes export" and token.scope == TokenScope.READ
    assert token.link_expires_at - token.created_at == timedelta(days=30)

    listing = client.get(reverse("api_tokens:list")).content.decode()
    assert "Outcomes export" in listing and token.shown in listing
    assert secret not in listing
    assert AuditEvent.objects.filter(action="api.token.created", object_id=str(token.pk)).exists()


def test_the_new_token_works_for_its_owner(client, world):
    secret = secret_in(create(client, world.members["therapist"]))
    client.logout()
    response = client.get(CLIENTS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [str(world.client.pk)]


def test_a_token_needs_a_name_and_an_allowed_lifetime(client, world, scoped):
    response = create(client, world.members["therapist"], name="   ", days="3650")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the token a name" in html
    assert "Select a valid choice" in html
    assert not ApiToken.objects.exists()


def test_every_lifetime_offered_is_a_year_at_most(client, world):
    client.force_login(world.members["therapist"].user)
    html = client.get(reverse("api_tokens:list")).content.decode()
    assert '<option value="365"' in html and '<option value="3650"' not in html
    assert "never" not in html.lower()


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer kap_not-a-real-token", "Basic dXNlcjpwYXNz", "Token kap_x"],
)
def test_without_a_live_token_the_answer_is_401(client, world, header):
    headers = {"Authorization": header} if header else {}
    response = client.get(CLIENTS, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_signed_in_session_is_no_token(client, world):
    client.force_login(world.members["admin"].user)
    assert client.get(CLIENTS).status_code == 401


def test_an_expired_token_is_refused(client, world, scoped):
    token, secret = make_token(world.members["therapist"], days=7)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(CLIENTS, headers=headers).status_code == 200
    with_expiry = timezone.now() - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(link_expires_at=with_expiry)
    assert client.get(CLIENTS, headers=headers).status_code == 401


def test_a_revoked_token_is_refused_and_listed_as_revoked(client, world, scoped):
    member = world.members["therapist"]
    token, secret = make_token(member)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(CLIENTS, headers=headers).status_code == 200

    client.force_login(member.user)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)
    assert "no longer works" in response.content.decode()
    assert "Revoked" in response.content.decode()
    client.logout()

    assert client.get(CLIENTS, headers=headers).status_code == 401
    assert AuditEvent.objects.filter(action="api.token.revoked", object_id=str(token.pk)).exists()


def test_nobody_revokes_another_members_token(client, world, scoped):
    token, secret = make_token(world.members["therapist"])
    client.force_login(world.members["admin"].user)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    client.logout()
    assert client.get(CLIENTS, headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_a_deactivated_member_s_token_stops_working(client, world, scoped):
    member = world.members["therapist"]
    headers = bearer(member)
    assert client.get(CLIENTS, headers=headers).status_code == 200
    member.is_active = False
    member.save()
    assert client.get(CLIENTS, headers=headers).status_code == 401


def test_a_read_token_cannot_change_anything(client, world, scoped):
    from tests.permission_specs.measures import measures_object

    alert = measures_object("alert", world.client)
    headers = bearer(world.members["prescriber"], scope=TokenScope.READ)
    url = f"/api/v1/safety-alerts/{alert.pk}/acknowledge"
    response = client.post(
        url,
        {"action_taken": "Called the client, safety plan in place."},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_last_use_is_recorded(client, world, scoped):
    token, secret = make_token(world.members["monitor"])
    assert token.last_used_at is None
    client.get(CLIENTS, headers={"Authorization": f"Bearer {secret}"})
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(minutes=5)
