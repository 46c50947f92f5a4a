"""The client portal: the client's own questionnaires, journal, progress and reminder choices."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from kapstone.accounts import views as accounts_views
from kapstone.accounts.forms import SignInForm
from kapstone.accounts.models import User
from kapstone.audit.services import log_event
from kapstone.clients.access import get_client
from kapstone.clinical import get_instrument
from kapstone.integration.models import JOURNAL_PROMPTS, ActionItem, ActionItemStatus, JournalEntry
from kapstone.measures import services as measures
from kapstone.measures.forms import QuestionnaireForm
from kapstone.measures.models import Assignment
from kapstone.pathway.consent import signed_pdf
from kapstone.pathway.models import ConsentSignature, EpisodeState, Goal, Intention, WordsSource
from kapstone.pathway.preparation import current, revise_words
from kapstone.pdf import pdf_response
from kapstone.practice.middleware import membership_exempt, two_factor_exempt
from kapstone.practice.models import DEFAULT_CRISIS_RESOURCES, Practice
from kapstone.practice.permissions import Capability
from kapstone.practice.public_links import invalid_link, public_link
from kapstone.practice.tenancy import scopes_disabled
from kapstone.scheduling.models import AppointmentKind
from kapstone.scheduling.queries import past_for_client, upcoming_for_client

from . import services
from .forms import IntentionForm, JournalEntryForm, ReminderForm
from .material import material_for
from .middleware import client_required
from .models import PORTAL_INVITATION, ClientAccount
from .progress import progress_for


def _context(request, **extra):
    account = request.client_account
    return {
        "account": account,
        "client": account.client,
        "practice": account.practice,
        "crisis_resources": account.practice.crisis_resources,
        **extra,
    }


class PortalSignIn(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("portal:home")

    def get_default_redirect_url(self):
        return str(reverse_lazy("portal:home"))


sign_in = membership_exempt(two_factor_exempt(PortalSignIn.as_view()))


# "Forgot your password?" for clients: the staff flow (accounts.views) on the portal's own pages.
PUBLIC_CONTEXT = {"crisis_resources": DEFAULT_CRISIS_RESOURCES}


class PortalPasswordReset(accounts_views.PasswordResetView):
    template_name = "portal/password_reset.html"
    success_url = reverse_lazy("portal:password_reset_done")
    confirm_url_name = "portal:password_reset_confirm"
    extra_context = PUBLIC_CONTEXT


class PortalPasswordResetDone(accounts_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"
    extra_context = {**accounts_views.PasswordResetDoneView.extra_context, **PUBLIC_CONTEXT}


class PortalPasswordResetConfirm(accounts_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")
    extra_context = PUBLIC_CONTEXT

    def practice_of(self, user: User) -> Practice | None:
        with scopes_disabled():
            account = ClientAccount.objects.filter(user=user).select_related("practice").first()
        return account.practice if account else super().practice_of(user)


class PortalPasswordResetComplete(accounts_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"
    extra_context = {"sign_in_url": reverse_lazy("portal:login"), **PUBLIC_CONTEXT}


password_reset = membership_exempt(two_factor_exempt(PortalPasswordReset.as_view()))
password_reset_done = membership_exempt(two_factor_exempt(PortalPasswordResetDone.as_view()))
password_reset_confirm = membership_exempt(two_factor_exempt(PortalPasswordResetConfirm.as_view()))
password_reset_complete = membership_exempt(two_factor_exempt(PortalPasswordResetComplete.as_view()))


@require_POST
@membership_exempt
@two_factor_exempt
def sign_out(request):
    logout(request)
    return redirect("portal:login")


@public_link(PORTAL_INVITATION, services.invitation_by_link)
def welcome(request, invitation, token):
    """The client chooses a password through the one-time link from their invitation email."""
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if not invitation.mark_used():
                # Sent twice at the same moment: the first send set the password.
                return invalid_link(request, PORTAL_INVITATION)
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            log_event(request, "portal.account.activated", actor=user, practice=invitation.practice)
        return redirect("portal:home")
    return render(
        request,
        "portal/welcome.html",
        {
            "form": form,
            "practice": invitation.practice,
            "crisis_resources": invitation.practice.crisis_resources,
        },
    )


@client_required
def home(request):
    client = request.client_account.client
    due = Assignment.objects.open().filter(client=client).order_by("due_at")
    latest_entry = JournalEntry.objects.filter(client=client).first()
    action_items = ActionItem.objects.filter(client=client, status=ActionItemStatus.OPEN)
    prompt = JOURNAL_PROMPTS[
        (latest_entry.created_at.toordinal() if latest_entry else 0) % len(JOURNAL_PROMPTS)
    ]
    upcoming = list(upcoming_for_client(client)[:3])
    next_medicine = next((a for a in upcoming if a.kind == AppointmentKind.MEDICINE), None)
    context = _context(
        request,
        due=due,
        prompt=prompt,
        latest_entry=latest_entry,
        action_items=action_items,
        next_appointment=upcoming[0] if upcoming else None,
        next_medicine=next_medicine,
        # Day-of instructions from two days before a medicine session.
        day_of=next_medicine is not None and next_medicine.starts_at - timezone.now() < DAY_OF_NOTICE,
        intention_due=next_medicine is not None and _intention_due(client, next_medicine),
    )
    return render(request, "portal/home.html", context)


DAY_OF_NOTICE = timedelta(hours=48)


def _open_episode(client):
    return client.episodes.exclude(state=EpisodeState.CLOSED).order_by("-opened_at").first()


def _intention_due(client, medicine_appointment) -> bool:
    """An intention is due before each medicine session: none written since the last one."""
    episode = _open_episode(client)
    if episode is None:
        return False
    latest = current(Intention, episode)
    last_session = (
        past_for_client(client).filter(kind=AppointmentKind.MEDICINE).order_by("-starts_at").first()
    )
    return latest is None or (last_session is not None and latest.recorded_at < last_session.starts_at)


@client_required
def intentions(request):
    client = request.client_account.client
    episode = _open_episode(client)
    form = IntentionForm(request.POST or None)
    if request.method == "POST" and episode is not None and form.is_valid():
        revise_words(
            request,
            episode,
            intentions=form.cleaned_data["intention"],
            source=WordsSource.CLIENT,
            actor=request.user,
        )
        messages.success(request, "Your intention is saved. Your therapist will see it.")
        return redirect("portal:intentions")
    context = _context(
        request,
        form=form,
        episode=episode,
        goal=current(Goal, episode) if episode else None,
        intention=current(Intention, episode) if episode else None,
    )
    return render(request, "portal/intentions.html", context)


@client_required
def consents(request):
    signed = ConsentSignature.objects.filter(client=request.client_account.client, signed_at__isnull=False)
    return render(
        request, "portal/consents.html", _context(request, signatures=signed.order_by("-signed_at"))
    )


@client_required
def consent_download(request, signature_id):
    """The client's copy of a signed consent: the PDF kept at signing (or countersigning)."""
    signature = get_object_or_404(
        ConsentSignature.objects.select_related("document", "practice"),
        client=request.client_account.client,
        signed_at__isnull=False,
        pk=signature_id,
    )
    printed = signed_pdf(request, signature)
    log_event(
        request,
        "portal.consent.downloaded",
        obj=signature,
        client=signature.client,
        data={"stage": printed.stage, "pdf_sha256": printed.sha256},
    )
    return pdf_response(bytes(printed.pdf), printed.filename)


@client_required
def questionnaires(request):
    client = request.client_account.client
    due = Assignment.objects.open().filter(client=client).order_by("due_at")
    for assignment in due:
        assignment.instrument = get_instrument(assignment.instrument_id)
    return render(request, "portal/questionnaires.html", _context(request, due=due))


@client_required
def questionnaire(request, assignment_id):
    client = request.client_account.client
    assignment = get_object_or_404(Assignment.objects.open(), client=client, pk=assignment_id)
    instrument = get_instrument(assignment.instrument_id)
    response = measures.draft_for(client, instrument.id, source="portal", assignment=assignment)
    initial = {f"item_{item}": value for item, value in response.answers_by_item().items()}
    form = QuestionnaireForm(request.POST or None, instrument=instrument, initial=initial)
    context = _context(request, instrument=instrument, assignment=assignment, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            answers, submit = form.answers(), "submit" in request.POST
            outcome = measures.save_answers(request, response, answers, submit=submit)
        except measures.AlreadySubmitted as already:
            # Sent twice at the same moment (a double tap, two tabs): the first one's answers are kept.
            messages.info(request, already.message)
            return redirect("portal:questionnaires")
        if outcome.submitted:
            context["show_crisis"] = outcome.response.has_critical or bool(outcome.alerts)
            return render(request, "portal/questionnaire_done.html", context)
        if outcome.missing:
            form.mark_missing(outcome.missing)
        else:
            messages.success(request, "Saved. You can finish it later.")
            return redirect("portal:questionnaires")
    return render(request, "portal/questionnaire.html", context)


@client_required
def journal(request):
    client = request.client_account.client
    entries = JournalEntry.objects.filter(client=client)
    form = JournalEntryForm(request.POST or None)
    prompt = request.GET.get("prompt") or request.POST.get("prompt") or JOURNAL_PROMPTS[0]
    if request.method == "POST" and form.is_valid():
        form.instance.prompt = prompt[:300]
        services.save_journal_entry(request, form, client=client)
        messages.success(request, "Saved to your journal.")
        return redirect("portal:journal")
    return render(
        request,
        "portal/journal.html",
        _context(request, entries=entries, form=form, prompt=prompt, prompts=JOURNAL_PROMPTS),
    )


@client_required
def journal_entry(request, entry_id):
    client = request.client_account.client
    entry = get_object_or_404(JournalEntry, client=client, pk=entry_id)
    form = JournalEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        services.save_journal_entry(request, form)
        messages.success(request, "Your entry is updated.")
        return redirect("portal:journal")
    return render(request, "portal/journal_entry.html", _context(request, entry=entry, form=form))


@client_required
def progress(request):
    account = request.client_account
    panels = progress_for(account.client, account.practice.zone)
    return render(request, "portal/progress.html", _context(request, panels=panels))


@client_required
def reminders(request):
    form = ReminderForm(request.POST or None, instance=request.client_account)
    if request.method == "POST" and form.is_valid():
        form.save()
        log_event(
            request,
            "portal.reminders.updated",
            obj=request.client_account,
            client=request.client_account.client,
            data={"fields": sorted(form.changed_data)},
        )
        messages.success(request, "Your reminder choices are saved.")
        return redirect("portal:reminders")
    return render(request, "portal/reminders.html", _context(request, form=form))


@require_POST
def invite(request, client_id):
    """Staff: invite the client to the portal (or send a fresh invitation)."""
    client = get_client(request, client_id, Capability.EDIT_CLIENT)
    try:
        services.invite_client(request, client)
    except services.PortalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Portal invitation sent to {client.email}.")
    return redirect("clients:detail", client_id=client.pk)


@client_required
def material(request):
    return render(request, "portal/material.html", _context(request, material=material_for(request.practice)))
