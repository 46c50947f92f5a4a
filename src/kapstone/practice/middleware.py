"""Per-request access: idle logoff, the member's practice and its ORM scope, and the 2FA gate."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django_otp import user_has_device

from .models import Membership
from .tenancy import practice_scope

SESSION_PRACTICE = "kapstone_practice_id"
SESSION_LAST_SEEN = "kapstone_last_seen"
# Requests a page makes by itself (live board polling) must not count as activity.
BACKGROUND_HEADER = "HTTP_X_KAPSTONE_BACKGROUND"


class IdleLogoffMiddleware:
    """Sign a user out after ``KAPSTONE_IDLE_TIMEOUT`` without activity (HIPAA automatic logoff)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_LAST_SEEN)
            timeout = settings.KAPSTONE_IDLE_TIMEOUT.total_seconds()
            if last_seen is not None and now - last_seen > timeout:
                logout(request)
                minutes = round(timeout / 60)
                messages.info(request, f"You were signed out after {minutes} minutes without activity.")
                return redirect_to_login(request.get_full_path())
            if not request.META.get(BACKGROUND_HEADER):
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


def two_factor_exempt(view):
    """Mark a view a signed-in user may reach before passing two-factor (sign-in steps, sign-out)."""
    view.two_factor_exempt = True
    return view


def membership_exempt(view):
    """Mark a view that needs no practice membership (account pages every user has)."""
    view.membership_exempt = True
    return view


def two_factor_required(user, is_staff: bool) -> bool:
    """Staff must use two-factor when the practice requires it; anyone who enrolled a device uses it."""
    return (settings.KAPSTONE_REQUIRE_2FA and is_staff) or user_has_device(user)


class StaffAccessMiddleware:
    """Find the member's practice, open its ORM scope for the request, and gate on two-factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.practice = None
        request.memberships = []
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.active().filter(user=request.user).select_related("practice", "user")
            )
            chosen = request.session.get(SESSION_PRACTICE)
            request.memberships = memberships
            request.membership = next((m for m in memberships if str(m.practice_id) == chosen), None) or (
                memberships[0] if memberships else None
            )
            if request.membership:
                request.practice = request.membership.practice
        with practice_scope(request.practice):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or getattr(view_func, "login_required", True) is False:
            return None
        if getattr(view_func, "two_factor_exempt", False):
            return None
        if two_factor_required(user, bool(request.memberships)) and not user.is_verified():
            target = "accounts:verify" if user_has_device(user) else "accounts:enroll"
            return redirect_to_login(request.get_full_path(), login_url=target)
        if request.membership is None and not getattr(view_func, "membership_exempt", False):
            raise PermissionDenied("You have no active role in a practice. Ask your practice admin.")
        return None


def switch_practice(request, practice_id) -> None:
    if any(str(m.practice_id) == str(practice_id) for m in getattr(request, "memberships", [])):
        request.session[SESSION_PRACTICE] = str(practice_id)


__all__ = [
    "IdleLogoffMiddleware",
    "StaffAccessMiddleware",
    "membership_exempt",
    "switch_practice",
    "two_factor_exempt",
]
