"""``/api/v1/``: the NinjaAPI, its auth, rate limit and error answers, and its OpenAPI documents.

The browsable docs page is ninja's Swagger UI served from ninja's own static files ("ninja" is in
INSTALLED_APPS), so it works offline and under the strict CSP (no inline script, no CDN).
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from .auth import TokenAuth, TokenRateThrottle
from .endpoints import alerts, clients, register
from .fhir.endpoint import fhir

DESCRIPTION = """kapstone's open API for the practice's own scripts and systems.

Authenticate with a personal access token from *My account → API tokens*:
`Authorization: Bearer kap_…`. A token acts as its owner: the same practice, role and care teams,
and every read or change is in the audit trail. See docs/api.md for scopes, rate limits and
pagination."""

api = NinjaAPI(
    title="kapstone API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=TokenRateThrottle(),
    docs=Swagger(settings={"persistAuthorization": False}),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("", clients)
api.add_router("", alerts)
api.add_router("", register)
api.add_router("", fhir)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Your role cannot do this."}, status=403)
