"""Staff changes (invitations, role changes) and practice settings, audited."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from kapstone.accounts.models import STAFF_INVITATION, Invitation
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event

from .forms import AlertSettingsForm, MembershipForm
from .links import email_link
from .models import Membership, Practice


@transaction.atomic
def invite_staff(
    request: StaffRequest, *, full_name: str, email: str, role: str, title: str = ""
) -> Membership:
    """Add a member; a new person gets a one-time link to set a password, by email."""
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_model.objects.create_user(email=email, full_name=full_name)
    membership = Membership.objects.create(practice=request.practice, user=user, role=role, title=title)
    context = {"membership": membership, "inviter": request.user}
    if user.has_usable_password():
        # Someone who already has an account only hears of the new practice: no link to send.
        send_mail(
            STAFF_INVITATION.email_subject.format(practice=request.practice.name),
            render_to_string(STAFF_INVITATION.email_template, {"practice": request.practice, **context}),
            None,
            [user.email],
        )
    else:
        Invitation.objects.filter(user=user, used_at__isnull=True).delete()
        invitation, token = Invitation.issue(user=user, practice=request.practice, created_by=request.user)
        url = request.build_absolute_uri(reverse("accounts:invitation", args=[token]))
        email_link(STAFF_INVITATION, invitation, url, to=user.email, **context)
    log_event(request, "practice.staff.invited", obj=membership, data={"role": role})
    return membership


@transaction.atomic
def update_membership(request: StaffRequest, form: MembershipForm) -> Membership:
    membership = form.save()
    log_event(request, "practice.staff.updated", obj=membership, data={"fields": sorted(form.changed_data)})
    return membership


@transaction.atomic
def update_alert_settings(request: StaffRequest, form: AlertSettingsForm) -> Practice:
    """Save the per-severity escalation times; the audit event keeps the old and new minutes."""
    before = {name: form.initial[name] for name in form.changed_data}
    practice = form.save()
    changes = {name: [before[name], getattr(practice, name)] for name in sorted(form.changed_data)}
    log_event(request, "practice.alert_settings.changed", obj=practice, practice=practice, data=changes)
    return practice
