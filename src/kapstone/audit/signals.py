"""Sign-in, sign-out and failed sign-ins are audit events too."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kapstone.practice.models import Membership

from .services import log_event


def _home_membership(user):
    return Membership.objects.active().filter(user=user).select_related("practice").first()


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    membership = _home_membership(user)
    log_event(
        request,
        "accounts.login.succeeded",
        actor=user,
        practice=membership.practice if membership else None,
        role=membership.role if membership else "",
    )


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is None:
        return
    membership = _home_membership(user)
    log_event(
        request,
        "accounts.logout",
        actor=user,
        practice=membership.practice if membership else None,
        role=membership.role if membership else "",
    )


@receiver(user_login_failed)
def audit_failed_login(sender, credentials, request=None, **kwargs):
    # Never store what was typed: a mistyped password can land in the username field.
    if request is not None:
        log_event(request, "accounts.login.failed")
