"""What the API returns: each record as the pages show it, filtered by date, in pages; every read and
change is audited as via the API, and acknowledging an alert goes through the measures service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import SafetyAlert

from ..factories import make_client
from ..permission_specs.measures import measures_object
from ..sessions.builders import discharged_session, vitals
from .builders import make_token

ACTION = {"action_taken": "Called the client, reviewed the safety plan, no immediate risk."}


@pytest.fixture
def prescriber(world):
    token, secret = make_token(world.members["prescriber"])
    return token, {"Authorization": f"Bearer {secret}"}


def events(token):
    return AuditEvent.objects.filter(data__token=str(token.pk)).order_by("seq")


@pytest.mark.parametrize(
    ("page", "action"),
    [
        ("", "api.client.viewed"),
        ("/episodes", "api.episodes.viewed"),
        ("/appointments", "api.appointments.viewed"),
        ("/questionnaire-responses", "api.responses.viewed"),
        ("/medicine-sessions", "api.sessions.viewed"),
    ],
)
def test_each_read_of_a_client_is_audited_as_via_the_api(client, world, prescriber, scoped, page, action):
    token, headers = prescriber
    assert client.get(f"/api/v1/clients/{world.client.pk}{page}", headers=headers).status_code == 200
    event = events(token).get()
    assert event.action == action
    assert event.client_id == world.client.pk
    assert event.actor == world.members["prescriber"].user
    assert event.actor_role == "prescriber"
    assert event.practice == world.practice
    assert event.data["via"] == "api"


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/api/v1/clients", "api.clients.viewed"),
        ("/api/v1/safety-alerts", "api.alerts.viewed"),
        ("/api/v1/register/containers", "api.register.containers.viewed"),
    ],
)
def test_each_list_is_audited(client, world, prescriber, scoped, url, action):
    token, headers = prescriber
    client.get(url, headers=headers)
    assert list(events(token).values_list("action", flat=True)) == [action]


def test_a_refused_read_writes_no_event(client, world, scoped):
    token, secret = make_token(world.members["front_desk"])
    client.get(f"/api/v1/clients/{world.client.pk}/episodes", headers={"Authorization": f"Bearer {secret}"})
    assert not events(token).exists()


def test_a_questionnaire_response_comes_with_its_score(client, world, prescriber, scoped):
    response = measures_object("response", world.client)
    _, headers = prescriber
    items = client.get(f"/api/v1/clients/{world.client.pk}/questionnaire-responses", headers=headers).json()
    assert items["count"] == 1
    item = items["items"][0]
    assert item["id"] == str(response.pk)
    assert item["instrument_id"] == "phq9"
    assert item["total"] == 1
    assert item["has_critical"] is True
    assert item["answers"]["9"] == 1
    assert item["band"] == response.band


def test_a_medicine_session_comes_with_its_doses_and_vitals(client, world, prescriber, scoped):
    session = discharged_session(world.client, world)
    vitals(session, world.members["monitor"], at=session.opened_at + timedelta(minutes=30), sbp=131, hr=80)
    _, headers = prescriber
    body = client.get(f"/api/v1/clients/{world.client.pk}/medicine-sessions", headers=headers).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == str(session.pk)
    assert item["discharged_at"] is not None
    [given] = item["administrations"]
    assert given["given_by"] == "A monitor"
    assert float(given["amount_mg"]) > 0
    assert [(v["sbp"], v["hr"]) for v in item["vitals"]] == [(131, 80)]


def test_psychotherapy_notes_are_nowhere_in_the_api(client, db):
    schema = client.get("/api/v1/openapi.json").content.decode().lower()
    assert "psychotherapy" not in schema and "private_note" not in schema and "journal" not in schema


def test_lists_filter_by_the_practice_s_days_and_come_in_pages(client, world, prescriber, scoped):
    _, headers = prescriber
    for n in range(3):
        make_client(world.practice, care_team=[world.members["prescriber"]], legal_last_name=f"Zed{n}")
    everyone = client.get("/api/v1/clients?limit=2", headers=headers).json()
    assert everyone["count"] == 4 and len(everyone["items"]) == 2
    rest = client.get("/api/v1/clients?limit=2&offset=2", headers=headers).json()
    assert {i["id"] for i in everyone["items"]}.isdisjoint({i["id"] for i in rest["items"]})

    today = world.practice.today()
    on_today = client.get(f"/api/v1/clients?date_from={today}&date_to={today}", headers=headers).json()
    assert on_today["count"] == 4
    tomorrow = today + timedelta(days=1)
    assert client.get(f"/api/v1/clients?date_from={tomorrow}", headers=headers).json()["count"] == 0
    yesterday = today - timedelta(days=1)
    assert client.get(f"/api/v1/clients?date_to={yesterday}", headers=headers).json()["count"] == 0
    assert client.get("/api/v1/clients?limit=500", headers=headers).status_code == 422


def test_acknowledging_an_alert_goes_through_the_measures_service(client, world, prescriber, scoped):
    token, headers = prescriber
    alert = measures_object("alert", world.client)
    url = f"/api/v1/safety-alerts/{alert.pk}/acknowledge"
    response = client.post(url, ACTION, content_type="application/json", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged_by"] == "A prescriber"
    assert body["action_taken"] == ACTION["action_taken"]
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.members["prescriber"].user
    actions = list(AuditEvent.objects.filter(object_id=str(alert.pk)).values_list("action", flat=True))
    assert "measures.alert.acknowledged" in actions and "api.alert.acknowledged" in actions
    assert events(token).filter(action="api.alert.acknowledged").get().data["via"] == "api"

    again = client.post(url, ACTION, content_type="application/json", headers=headers)
    assert again.status_code == 409
    assert SafetyAlert.objects.get(pk=alert.pk).acknowledged_at == alert.acknowledged_at


def test_an_acknowledgement_needs_words(client, world, prescriber, scoped):
    _, headers = prescriber
    alert = measures_object("alert", world.client)
    url = f"/api/v1/safety-alerts/{alert.pk}/acknowledge"
    response = client.post(url, {"action_taken": "ok"}, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body", "action_taken"]
    missing = client.post(url, {}, content_type="application/json", headers=headers)
    assert missing.status_code == 422
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_alert_list_filters_by_status(client, world, prescriber, scoped):
    _, headers = prescriber
    open_alert = measures_object("alert", world.client)
    done = measures_object("alert", world.client)
    SafetyAlert.objects.filter(pk=done.pk).update(acknowledged_at=timezone.now(), action_taken="Called.")

    def ids(query):
        return [i["id"] for i in client.get(f"/api/v1/safety-alerts{query}", headers=headers).json()["items"]]

    assert ids("") == [str(open_alert.pk)]
    assert ids("?status=acknowledged") == [str(done.pk)]
    assert set(ids("?status=all")) == {str(open_alert.pk), str(done.pk)}
    assert client.get("/api/v1/safety-alerts?status=gone", headers=headers).status_code == 422
