"""A token sees what its owner sees: its own practice only, the owner's care teams, the owner's role."""

import pytest

from kapstone.practice.tenancy import scopes_disabled

from ..factories import make_client, make_member
from ..permission_specs.measures import measures_object
from ..register.builders import ketamine_vial, make_location, receive
from .builders import bearer

CLIENT_PAGES = ["", "/episodes", "/appointments", "/questionnaire-responses", "/medicine-sessions"]


@pytest.mark.parametrize("page", CLIENT_PAGES)
def test_another_practice_s_client_does_not_exist(client, world, page):
    headers = bearer(world.other_members["admin"])
    response = client.get(f"/api/v1/clients/{world.client.pk}{page}", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize("page", CLIENT_PAGES)
def test_a_client_outside_the_care_team_does_not_exist_but_an_admin_sees_them(client, world, page):
    url = f"/api/v1/clients/{world.unassigned_client.pk}{page}"
    assert client.get(url, headers=bearer(world.members["therapist"])).status_code == 404
    assert client.get(url, headers=bearer(world.members["admin"])).status_code == 200


@pytest.mark.parametrize("page", ["/episodes", "/questionnaire-responses", "/medicine-sessions"])
def test_the_front_desk_reads_no_clinical_content(client, world, page):
    headers = bearer(world.members["front_desk"])
    assert client.get(f"/api/v1/clients/{world.client.pk}", headers=headers).status_code == 200
    response = client.get(f"/api/v1/clients/{world.client.pk}{page}", headers=headers)
    assert response.status_code == 403
    assert "Your role cannot do this" in response.json()["detail"]


def test_the_client_list_holds_the_care_team_s_clients_only(client, world):
    def ids(member):
        response = client.get("/api/v1/clients", headers=bearer(member))
        return {item["id"] for item in response.json()["items"]}

    assert ids(world.members["therapist"]) == {str(world.client.pk)}
    assert ids(world.outsider) == {str(world.unassigned_client.pk)}
    assert ids(world.members["admin"]) == {str(world.client.pk), str(world.unassigned_client.pk)}
    make_client(world.other_practice)
    assert ids(world.other_members["admin"]) == {str(c.pk) for c in _clients_of(world.other_practice)}


def _clients_of(practice):
    from kapstone.clients.models import Client

    with scopes_disabled():
        return list(Client.objects.filter(practice=practice))


def test_safety_alerts_of_clients_outside_the_care_team_are_not_listed(client, world, scoped):
    own = measures_object("alert", world.client)
    hidden = measures_object("alert", world.unassigned_client)
    listed = client.get("/api/v1/safety-alerts", headers=bearer(world.members["monitor"])).json()
    assert [item["id"] for item in listed["items"]] == [str(own.pk)]
    everyone = client.get("/api/v1/safety-alerts", headers=bearer(world.members["admin"])).json()
    assert {item["id"] for item in everyone["items"]} == {str(own.pk), str(hidden.pk)}
    other = client.get("/api/v1/safety-alerts", headers=bearer(world.other_members["admin"])).json()
    assert other == {"items": [], "count": 0}


def test_an_alert_outside_the_care_team_cannot_be_acknowledged(client, world, scoped):
    hidden = measures_object("alert", world.unassigned_client)
    response = client.post(
        f"/api/v1/safety-alerts/{hidden.pk}/acknowledge",
        {"action_taken": "Called the client, safety plan in place."},
        content_type="application/json",
        headers=bearer(world.members["prescriber"]),
    )
    assert response.status_code == 404
    hidden.refresh_from_db()
    assert hidden.acknowledged_at is None


def test_the_register_is_for_clinical_roles_of_its_own_practice(client, world, scoped):
    vial = receive(world.members["prescriber"], make_location(world.practice), ketamine_vial(world.practice))[
        0
    ]
    url = f"/api/v1/register/containers/{vial.pk}/entries"
    assert client.get(url, headers=bearer(world.members["monitor"])).status_code == 200
    assert client.get(url, headers=bearer(world.members["front_desk"])).status_code == 403
    assert client.get(url, headers=bearer(world.other_members["admin"])).status_code == 404
    others = client.get("/api/v1/register/containers", headers=bearer(world.other_members["admin"]))
    assert others.json() == {"items": [], "count": 0}


def test_a_token_works_in_the_practice_it_was_made_in_only(client, world):
    """A person in two practices makes a token in each; each sees its own practice's clients."""
    person = world.members["therapist"].user
    elsewhere = make_member(world.other_practice, "admin", user=person)
    other_client = make_client(world.other_practice)
    here = client.get("/api/v1/clients", headers=bearer(world.members["therapist"])).json()
    there = client.get("/api/v1/clients", headers=bearer(elsewhere)).json()
    assert [item["id"] for item in here["items"]] == [str(world.client.pk)]
    assert [item["id"] for item in there["items"]] == [str(other_client.pk)]
    url = f"/api/v1/clients/{other_client.pk}"
    assert client.get(url, headers=bearer(world.members["therapist"])).status_code == 404


def test_a_token_follows_its_owner_s_current_role(client, world, scoped):
    member = world.members["therapist"]
    headers = bearer(member)
    url = f"/api/v1/clients/{world.client.pk}/episodes"
    assert client.get(url, headers=headers).status_code == 200
    member.role = "front_desk"
    member.save()
    assert client.get(url, headers=headers).status_code == 403


def test_no_answer_is_kept_by_a_browser_or_proxy(client, world):
    response = client.get(f"/api/v1/clients/{world.client.pk}", headers=bearer(world.members["therapist"]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
