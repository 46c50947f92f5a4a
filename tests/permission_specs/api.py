"""The open API (``/api/v1/``) and the member's token pages.

API operations are fetched with a token of the member (``Spec.bearer``); their statuses are the pages'
statuses for the same data: the same capability answers 403 and the same visibility 404.
"""

from kapstone.measures.models import SafetyAlert
from kapstone.practice.tenancy import scopes_disabled

from ..api.builders import make_token
from . import ALL_200, CLINICAL_200, Kind, Spec
from .measures import measures_object


def alert_of(world, client):
    alert = measures_object("alert", client)
    assert isinstance(alert, SafetyAlert)
    return [alert.pk]


def therapists_token(world, client):
    with scopes_disabled():
        return [make_token(world.members["therapist"])[0].pk]


def api(expected, **fields):
    return Spec(expected, bearer=True, anonymous=401, client=401, **fields)


KINDS = {
    "api_alert": Kind(alert_of, client_scoped=True),
    # A token is its owner's alone: anyone else, whatever their role, finds no such token.
    "api_token": Kind(therapists_token, practice_object=True),
}

ACKNOWLEDGED = {"action_taken": "Called the client, reviewed the safety plan, no immediate risk."}

SPECS = {
    # the schema and its docs page: public, no data in them
    "api:openapi-json": Spec(ALL_200, public=True, anonymous=200),
    "api:openapi-view": Spec(ALL_200, public=True, anonymous=200),
    "api:api-root": Spec(dict.fromkeys(ALL_200, 404), public=True, anonymous=404),
    # a client's record: as the pages, demographics for everyone on the care team, the rest clinical
    "api:clients": api(ALL_200),
    "api:client": api(ALL_200, kind="client"),
    "api:appointments": api(ALL_200, kind="client"),
    "api:episodes": api(CLINICAL_200, kind="client"),
    "api:responses": api(CLINICAL_200, kind="client"),
    "api:sessions": api(CLINICAL_200, kind="client"),
    # the whole record as a FHIR Bundle: clinical, as the sessions and scores in it
    "api:fhir_everything": api(CLINICAL_200, kind="client"),
    "api:alerts": api(CLINICAL_200),
    "api:acknowledge": api(CLINICAL_200, kind="api_alert", method="post", data=ACKNOWLEDGED),
    # the register: every clinical role reads it
    "api:containers": api(CLINICAL_200),
    "api:entries": api(CLINICAL_200, kind="register_container"),
    # the member's own tokens (a session page under My account)
    "api_tokens:list": Spec(ALL_200),
    "api_tokens:revoke": Spec(
        {role: 302 if role == "therapist" else 404 for role in ALL_200}, kind="api_token", method="post"
    ),
}
