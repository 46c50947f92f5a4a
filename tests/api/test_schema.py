"""The OpenAPI document is valid, describes every answer the API gives, and its docs page works offline.

schemathesis generates requests from ``/api/v1/openapi.json`` for every operation and checks each
answer: never a server error, and always the status, content type and body the document promises.
The requests carry a read-write token of a seeded practice's prescriber and name its real client,
alert and container, so they reach the data and not only the 404s.
"""

import json
import re

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis import GenerationMode

from kapstone.api.v1 import api

from ..permission_specs.measures import measures_object
from ..register.builders import ketamine_vial, make_location, receive
from ..sessions.builders import discharged_session, vitals
from .builders import make_token


@pytest.fixture
def in_test_transaction():
    """Keep the test's database connection across the WSGI requests, as Django's test client does: a
    real handler closes a connection in a transaction at the end of each request (PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(world, scoped, in_test_transaction):
    """A practice with a client who has an episode, a scored questionnaire with an open alert, a
    dosed and discharged medicine session with vitals, and a register container with entries."""
    alert = measures_object("alert", world.client)
    session = discharged_session(world.client, world)
    vitals(session, world.members["monitor"], at=session.opened_at)
    vial = receive(world.members["prescriber"], make_location(world.practice), ketamine_vial(world.practice))[
        0
    ]
    _, secret = make_token(world.members["prescriber"])
    return {
        "headers": {"Authorization": f"Bearer {secret}"},
        "path": {"client_id": str(world.client.pk), "alert_id": str(alert.pk), "container_id": str(vial.pk)},
    }


def document() -> dict:
    """The document ``/api/v1/openapi.json`` serves (built without a request: the tests are collected
    before any database exists)."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


schema = schemathesis.openapi.from_dict(document())
schema.app = get_wsgi_application()
# One test per operation, named by it (schemathesis's own parametrize gives every operation the same
# test id under this pytest, and xdist would then run only one of them).
OPERATIONS = {f"{op.method.upper()} {op.path}": op for op in (r.ok() for r in schema.get_all_operations())}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_answer_is_as_the_schema_says(name, seeded):
    operation = OPERATIONS[name]
    path = {key: seeded["path"][key] for key in re.findall(r"{(\w+)}", operation.path)}

    # Valid requests only, a few each: enough to reach every answer, well under a minute in all.
    @given(case=operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path or None))
    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case):
        case.call_and_validate(headers=seeded["headers"])

    answers_as_documented()


def test_the_schema_test_reads_the_served_document(client, db):
    assert client.get("/api/v1/openapi.json").json() == document()


def test_the_document_is_openapi_3_with_bearer_auth(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    paths = set(document["paths"])
    assert paths == {
        "/api/v1/clients",
        "/api/v1/clients/{client_id}",
        "/api/v1/clients/{client_id}/episodes",
        "/api/v1/clients/{client_id}/appointments",
        "/api/v1/clients/{client_id}/questionnaire-responses",
        "/api/v1/clients/{client_id}/medicine-sessions",
        "/api/v1/safety-alerts",
        "/api/v1/safety-alerts/{alert_id}/acknowledge",
        "/api/v1/register/containers",
        "/api/v1/register/containers/{container_id}/entries",
        "/api/v1/fhir/Patient/{client_id}/$everything",
    }
    for path in document["paths"].values():
        for operation in path.values():
            assert {"401", "403", "404", "429"} <= set(operation["responses"]), operation["operationId"]


def test_the_docs_page_loads_nothing_from_elsewhere(client, db):
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert "<script>" not in html  # no inline script: the CSP allows none without a nonce
    assert "script-src" in response["Content-Security-Policy"]
