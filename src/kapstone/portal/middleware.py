"""Portal access: a signed-in client reaches their own record, scoped to their practice."""

from django.core.exceptions import PermissionDenied

from kapstone.practice.tenancy import practice_scope, scopes_disabled

from .models import ClientAccount


class PortalAccessMiddleware:
    """Find the signed-in client's account (staff have none) and scope the request to its practice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_account = None
        if request.user.is_authenticated and getattr(request, "membership", None) is None:
            with scopes_disabled():
                request.client_account = (
                    ClientAccount.objects.select_related("client", "practice")
                    .filter(user=request.user)
                    .first()
                )
        if request.client_account is None:
            return self.get_response(request)
        request.practice = request.client_account.practice
        with practice_scope(request.practice):
            return self.get_response(request)


def client_required(view):
    """The view is the client's own: signed-in clients only (staff get 403), scoped to their record."""

    def wrapped(request, *args, **kwargs):
        if getattr(request, "client_account", None) is None:
            raise PermissionDenied("This page is for clients signed in to the portal.")
        return view(request, *args, **kwargs)

    wrapped.membership_exempt = True
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped
