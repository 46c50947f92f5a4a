"""The public side of secret links (docs/links.md): one decorator for every page opened through a
link, and one "this link does not work" page.

Kept apart from ``links`` because models import that module, and this one imports the request
machinery (sign-in exemptions, templates) that must not load while models do.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from .links import LinkKind
from .middleware import membership_exempt, two_factor_exempt
from .models import DEFAULT_CRISIS_RESOURCES

INVALID_TEMPLATE = "links/invalid.html"
# Nothing of the URL (which holds the token) goes to another site. Not "no-referrer": from such a page
# browsers send "Origin: null" with form posts, which the CSRF check rightly rejects (docs/links.md).
REFERRER_POLICY = "same-origin"


def invalid_link(request: HttpRequest, kind: LinkKind) -> HttpResponse:
    """The same page for a wrong, expired or used link: what links of this kind do, and whom to ask
    for a new one. A 404, so that a guessed token and a spent one look alike."""
    context = {"kind": kind, "crisis_resources": DEFAULT_CRISIS_RESOURCES}
    return render(request, INVALID_TEMPLATE, context, status=404)


def public_link(
    kind: LinkKind, lookup: Callable[[str], Any], *, page: bool = True
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Open a view to anyone holding a live link of ``kind``.

    ``lookup(token)`` returns the link (``Model.objects.by_link``) or ``None``; the view is called as
    ``view(request, link, token, *args, **kwargs)``. A dead link gets :func:`invalid_link` (or a plain
    404 with ``page=False``, for machine-read links such as calendar feeds). Every response is never
    cached (the page holds a client's answers, the URL holds the key), sends no referrer to another
    site (the token in the URL must not leave) and is not indexed; CSRF protection applies whatever the
    middleware.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
            link = lookup(token)
            if link is not None:
                response = view(request, link, token, *args, **kwargs)
            elif page:
                response = invalid_link(request, kind)
            else:
                response = HttpResponseNotFound("No such link.", content_type="text/plain")
            response["Referrer-Policy"] = REFERRER_POLICY
            response["X-Robots-Tag"] = "noindex"
            return response

        return login_not_required(two_factor_exempt(membership_exempt(never_cache(csrf_protect(wrapped)))))

    return decorate
