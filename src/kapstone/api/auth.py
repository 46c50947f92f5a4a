"""How an API request acts as a token's owner, and how much it may do (docs/api.md).

Every URL under ``/api/v1/`` is wrapped by :func:`acting_as`: it finds the bearer token, makes the
request look like the owner's staff request (user, membership, practice), and opens the owner's
practice scope for the whole request, serialising the response included. The operations then check
access through the same modules as the pages (``clients.access``, ``practice.permissions``,
``register.access``). :class:`TokenAuth` answers 401 without a live token and 403 when a read-only
token asks to change something; :class:`TokenRateThrottle` limits each token's requests.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from kapstone.practice.tenancy import practice_scope

from .models import ApiToken
from .tokens import bearer_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def acting_as(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap an API view: the request acts as the owner of its bearer token, in the owner's practice."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        token = bearer_token(request)
        # A browser's signed-in session never counts here: only the token says who acts.
        request.api_token = token  # type: ignore[attr-defined]
        request.membership = token.membership if token else None  # type: ignore[attr-defined]
        request.memberships = [token.membership] if token else []  # type: ignore[attr-defined]
        request.practice = token.practice if token else None  # type: ignore[attr-defined]
        if token is not None:
            request.user = token.membership.user
        with practice_scope(token.practice if token else None):
            response = view(request, *args, **kwargs)
        # Answers carry client data: no browser or proxy keeps a copy.
        add_never_cache_headers(response)
        return response

    # The token is the credential: no sign-in page, no session, no CSRF cookie (ninja's views are
    # CSRF-exempt; a cross-site form cannot set an Authorization header).
    return login_not_required(wrapped)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: a live token (else 401) whose scope allows the method (else 403)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found: ApiToken | None = getattr(request, "api_token", None)
        if found is None:
            return None
        if request.method not in SAFE_METHODS and not found.may_write:
            raise HttpError(403, "This token may only read. Create a read-write token to change data.")
        return found


class TokenRateThrottle(SimpleRateThrottle):
    """``KAPSTONE_API_RATE`` requests per token, counted in this server process's cache (429 past it)."""

    def __init__(self) -> None:
        super().__init__(settings.KAPSTONE_API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the rate on every request, so a changed setting (a test's, an operator's) applies at once.
        self.rate = settings.KAPSTONE_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        return f"kapstone-api-rate-{token.pk}" if isinstance(token, ApiToken) else None
