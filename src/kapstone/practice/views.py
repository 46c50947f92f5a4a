from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import AlertSettingsForm, InviteForm, MembershipForm
from .models import Membership
from .permissions import Capability, capability_required
from .services import invite_staff, update_alert_settings, update_membership


@capability_required(Capability.MANAGE_STAFF)
def staff_list(request):
    two_factor = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
    members = (
        Membership.objects.filter(practice=request.practice)
        .select_related("user")
        .annotate(has_two_factor=Exists(two_factor))
        .order_by("-is_active", "user__full_name")
    )
    return render(request, "practice/staff_list.html", {"members": members})


@capability_required(Capability.MANAGE_STAFF)
def staff_invite(request):
    form = InviteForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        membership = invite_staff(request, **form.cleaned_data)
        messages.success(
            request, f"Invited {membership.user.email}. They will get an email with a sign-up link."
        )
        return redirect("practice:staff")
    return render(request, "practice/staff_invite.html", {"form": form})


@capability_required(Capability.MANAGE_STAFF)
def staff_edit(request, membership_id):
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, practice=request.practice
    )
    form = MembershipForm(request.POST or None, instance=membership, editor=request.membership)
    if request.method == "POST" and form.is_valid():
        update_membership(request, form)
        messages.success(request, f"Saved {membership.display_name}.")
        return redirect("practice:staff")
    return render(request, "practice/staff_edit.html", {"form": form, "member": membership})


@capability_required(Capability.CONFIGURE_PRACTICE)
def alert_settings(request):
    form = AlertSettingsForm(request.POST or None, instance=request.practice)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            update_alert_settings(request, form)
        messages.success(request, "Saved the safety alert escalation times.")
        return redirect("practice:alert_settings")
    return render(request, "practice/alert_settings.html", {"form": form})
