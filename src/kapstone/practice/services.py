"""Staff changes (invitations, role changes) and practice settings, audited."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from kapstone.accounts.models import Invitation
from kapstone.audit.services import log_event

from .models import Membership, Practice


@transaction.atomic
def invite_staff(request, *, full_name: str, email: str, role: str, title: str = "") -> Membership:
    """Add a member; a new person gets a one-time link to set a password, by email."""
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_model.objects.create_user(email=email, full_name=full_name)
    membership = Membership.objects.create(practice=request.practice, user=user, role=role, title=title)
    link = None
    if not user.has_usable_password():
        Invitation.objects.filter(user=user, used_at__isnull=True).delete()
        _, token = Invitation.issue(user=user, practice=request.practice, created_by=request.user)
        link = request.build_absolute_uri(reverse("accounts:invitation", args=[token]))
    context = {"practice": request.practice, "membership": membership, "link": link, "inviter": request.user}
    send_mail(
        subject=f"You are invited to {request.practice.name} on kapstone",
        message=render_to_string("practice/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    log_event(request, "practice.staff.invited", obj=membership, data={"role": role})
    return membership


@transaction.atomic
def update_membership(request, form) -> Membership:
    membership = form.save()
    log_event(request, "practice.staff.updated", obj=membership, data={"fields": sorted(form.changed_data)})
    return membership


@transaction.atomic
def update_alert_settings(request, form) -> Practice:
    """Save the per-severity escalation times; the audit event keeps the old and new minutes."""
    before = {name: form.initial[name] for name in form.changed_data}
    practice = form.save()
    changes = {name: [before[name], getattr(practice, name)] for name in sorted(form.changed_data)}
    log_event(request, "practice.alert_settings.changed", obj=practice, practice=practice, data=changes)
    return practice
