"""Sign-in, two-factor, invitations, password reset and the member's own account page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from kapstone.audit.services import log_event
from kapstone.practice.middleware import membership_exempt, two_factor_exempt
from kapstone.practice.middleware import switch_practice as switch
from kapstone.practice.models import Membership, Practice
from kapstone.practice.public_links import invalid_link, public_link

from . import two_factor
from .forms import CodeForm, ConfirmPasswordForm, SignInForm
from .models import STAFF_INVITATION, Invitation, User
from .password_reset import may_send_reset_email

SESSION_NEW_CODES = "kapstone_new_recovery_codes"


def _next_url(request, default="home:index"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


sign_in = membership_exempt(two_factor_exempt(SignInView.as_view()))
sign_out = membership_exempt(two_factor_exempt(auth_views.LogoutView.as_view()))


@two_factor_exempt
@membership_exempt
def verify(request):
    """Second step of sign-in: a TOTP code or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            log_event(request, "accounts.2fa.verified", data={"device": device.persistent_id.split("/")[0]})
            return redirect(_next_url(request))
        log_event(request, "accounts.2fa.failed")
        form.add_error("code", "That code is not right or has expired. Enter the current code from your app.")
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request, "")})


@two_factor_exempt
@membership_exempt
def enroll(request):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with one code."""
    if two_factor.has_confirmed_app(request.user) and not request.user.is_verified():
        return redirect("accounts:verify")
    device = two_factor.pending_totp_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        first_app = not two_factor.has_confirmed_app(request.user)
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                log_event(request, "accounts.2fa.enrolled")
                if not first_app:
                    # Adding a second app leaves the recovery codes alone: replacing them asks for
                    # the password (recovery_codes below).
                    messages.success(request, "Your new authenticator app is set up.")
                    return redirect("accounts:security")
                request.session[SESSION_NEW_CODES] = two_factor.new_recovery_codes(request.user)
            return redirect("accounts:recovery_codes")
        form.add_error(
            "code", "That code did not match. Check the time on your phone and enter the newest code."
        )
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "already_enrolled": two_factor.has_confirmed_app(request.user),
    }
    return render(request, "accounts/enroll.html", context)


@membership_exempt
def recovery_codes(request):
    """Show freshly made recovery codes exactly once; afterwards only how many are left. Making new
    ones (which voids the old) asks for the current password in the same request."""
    form = ConfirmPasswordForm(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_NEW_CODES] = two_factor.new_recovery_codes(request.user)
        log_event(request, "accounts.2fa.recovery_codes.created")
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(SESSION_NEW_CODES, None) if request.method == "GET" else None
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "form": form, "remaining": two_factor.remaining_recovery_codes(request.user)},
    )


@membership_exempt
def security(request):
    """The member's own account: two-factor status, recovery codes, password."""
    context = {
        "has_app": two_factor.has_confirmed_app(request.user),
        "remaining": two_factor.remaining_recovery_codes(request.user),
    }
    return render(request, "accounts/security.html", context)


@require_POST
@membership_exempt
def switch_practice(request):
    switch(request, request.POST.get("practice", ""))
    log_event(request, "practice.switched")
    return redirect("home:index")


def staff_invitation_by_link(token: str) -> Invitation | None:
    """The live invitation behind a staff link: only someone with a membership in the inviting
    practice (a client's portal invitation does not open the staff sign-up)."""
    invitation = Invitation.objects.by_link(token)
    if invitation is None or not invitation.user.memberships.filter(practice=invitation.practice).exists():
        return None
    return invitation


@public_link(STAFF_INVITATION, staff_invitation_by_link)
def accept_invitation(request, invitation, token):
    """An invited member chooses a password through the one-time link from their email."""
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if not invitation.mark_used():
                # Sent twice at the same moment: the first send set the password.
                return invalid_link(request, STAFF_INVITATION)
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            log_event(request, "accounts.invitation.accepted", actor=user, practice=invitation.practice)
        messages.success(request, "Your password is set. Next, protect your account with two-factor sign-in.")
        return redirect("accounts:enroll")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        messages.success(self.request, "Your password was changed.")
        return super().form_valid(form)


password_change = membership_exempt(PasswordChangeView.as_view())


class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgot your password?": an email with a one-time link (docs/links.md, "Password reset").

    The answer is the same page whether or not the address has an account, and the audit event does
    not say either: nobody learns from this page who has an account. Django sends only to active users
    with a usable password.
    """

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    confirm_url_name = "accounts:password_reset_confirm"

    def form_valid(self, form):
        log_event(self.request, "accounts.password.reset_requested")
        if not may_send_reset_email(form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {
            "confirm_url_name": self.confirm_url_name,
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password through the emailed link. It does not sign in: signing in afterwards asks
    for the password and, for anyone who set it up, the second factor, which a reset never removes."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        practice = self.practice_of(form.user)
        log_event(self.request, "accounts.password.reset_done", actor=form.user, practice=practice)
        return response

    def practice_of(self, user: User) -> Practice | None:
        """Whose audit trail records the reset: the member's first practice."""
        membership = Membership.objects.active().filter(user=user).select_related("practice").first()
        return membership.practice if membership else None


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"sign_in_url": reverse_lazy("accounts:login")}


password_reset = membership_exempt(two_factor_exempt(PasswordResetView.as_view()))
password_reset_done = membership_exempt(two_factor_exempt(PasswordResetDoneView.as_view()))
password_reset_confirm = membership_exempt(two_factor_exempt(PasswordResetConfirmView.as_view()))
password_reset_complete = membership_exempt(two_factor_exempt(PasswordResetCompleteView.as_view()))
