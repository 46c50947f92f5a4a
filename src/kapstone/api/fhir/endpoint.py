"""``GET /api/v1/fhir/Patient/{client_id}/$everything``: one client's record as a FHIR R4 Bundle.

As every API operation: the bearer token's owner must see the client (``clients.access``, else 404)
and hold the clinical capability (else 403), since the Bundle carries sessions, doses and scores; one
audit event per export, via the API, with the number of resources of each type (no values). The
answer is ``application/fhir+json``; psychotherapy notes are never in it (``sources``).
"""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from ninja import Router

from kapstone.accounts.requests import StaffRequest
from kapstone.clients.access import get_client, visible_clients
from kapstone.practice.permissions import Capability

from ..endpoints import ERRORS, audit
from .bundle import everything

FHIR_JSON = "application/fhir+json"

fhir = Router(tags=["FHIR"])

# The 200 answer is FHIR JSON, not ninja's JSON: described here for the OpenAPI document.
BUNDLE_ANSWER = {
    "description": "A FHIR R4 Bundle (type collection) of the client's resources (docs/fhir.md).",
    "content": {
        FHIR_JSON: {
            "schema": {
                "type": "object",
                "required": ["resourceType", "type"],
                "properties": {
                    "resourceType": {"type": "string", "enum": ["Bundle"]},
                    "type": {"type": "string", "enum": ["collection"]},
                    "timestamp": {"type": "string"},
                    "entry": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["fullUrl", "resource"],
                            "properties": {"fullUrl": {"type": "string"}, "resource": {"type": "object"}},
                        },
                    },
                },
            }
        }
    },
}


def fhir_base(request: StaffRequest) -> str:
    site = settings.KAPSTONE_SITE_URL or request.build_absolute_uri("/").rstrip("/")
    return f"{site}/api/v1/fhir"


@fhir.get(
    "/fhir/Patient/{client_id}/$everything",
    response=ERRORS,
    url_name="fhir_everything",
    openapi_extra={"responses": {"200": BUNDLE_ANSWER}},
)
def patient_everything(request: StaffRequest, client_id: UUID) -> Any:
    """Everything kapstone holds about one client as a FHIR R4 Bundle (clinical roles)."""
    client = get_client(request, client_id, Capability.VIEW_CLINICAL)
    bundle, counts = everything(visible_clients(request.membership).filter(pk=client.pk), fhir_base(request))
    audit(request, "api.fhir.everything.viewed", obj=client, data={"resources": dict(sorted(counts.items()))})
    return HttpResponse(bundle.model_dump_json(), content_type=FHIR_JSON)
