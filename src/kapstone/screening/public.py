"""Public pages (no account): the practice's page about KAP, the "reach out" form, and the client's
intake link. Each opens its practice's ORM scope itself; nothing here ever shows a medical verdict."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kapstone.audit.services import client_ip, log_event
from kapstone.clinical import get_instrument
from kapstone.measures.models import Assignment
from kapstone.measures.services import issue_link
from kapstone.practice.middleware import membership_exempt, two_factor_exempt
from kapstone.practice.models import Practice
from kapstone.practice.public_links import public_link
from kapstone.practice.tenancy import practice_scope

from . import services
from .content import about_text
from .forms import InquiryForm, IntakeForm
from .intake_facts import SCREENERS, intake_specs
from .models import INTAKE_LINK, Intake
from .ratelimit import inquiry_rate, take_token


def public(view):
    return login_not_required(two_factor_exempt(membership_exempt(view)))


def _practice(slug) -> Practice:
    return get_object_or_404(Practice, slug=slug)


def _context(practice, **extra):
    return {"practice": practice, "crisis_resources": practice.crisis_resources, **extra}


@public
def about(request, practice_slug):
    practice = _practice(practice_slug)
    with practice_scope(practice):
        content = about_text(practice)
    return render(request, "screening/public_about.html", _context(practice, **content))


@public
def reach_out(request, practice_slug):
    practice = _practice(practice_slug)
    form = InquiryForm(request.POST or None)
    context = _context(practice, form=form)
    if request.method == "POST":
        capacity, period = inquiry_rate()
        if form.is_bot:
            # Looks like success to the bot; nothing is kept.
            take_token("inquiry", client_ip(request), capacity, period)
            return redirect("screening:reach_out_sent", practice_slug=practice.slug)
        if form.is_valid():
            if not take_token("inquiry", client_ip(request), capacity, period):
                context["rate_limited"] = True
                return render(request, "screening/reach_out.html", context, status=429)
            with practice_scope(practice):
                services.submit_inquiry(
                    request,
                    practice,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    phone=form.cleaned_data["phone"],
                    preferred_contact=form.cleaned_data["preferred_contact"],
                    reason=form.cleaned_data["reason"],
                    self_check=form.self_check(),
                )
            return redirect("screening:reach_out_sent", practice_slug=practice.slug)
    return render(request, "screening/reach_out.html", context)


@public
def reach_out_sent(request, practice_slug):
    practice = _practice(practice_slug)
    return render(request, "screening/reach_out_sent.html", _context(practice))


@public_link(INTAKE_LINK, Intake.objects.by_link)
def intake_form(request, intake, token):
    """The client's part of the intake: their own answers, then the screeners to fill in."""
    practice = intake.practice
    with practice_scope(practice):
        context = _context(practice, intake=intake, client=intake.client, token=token)
        if intake.client_submitted_at or intake.is_complete:
            if request.method == "GET":
                log_event(request, "screening.intake_link.opened", obj=intake, practice=practice)
            return _hub(request, intake, context)
        form = IntakeForm(
            request.POST or None,
            specs=intake_specs("client"),
            for_client=True,
            initial=IntakeForm.initial_from(intake),
        )
        context["form"] = form
        if request.method == "GET":
            log_event(request, "screening.intake_link.opened", obj=intake, practice=practice)
        elif form.is_valid():
            submit = "submit" in request.POST
            try:
                saved = services.save_client_answers(
                    request, intake, form.answers(), form.cleaned_data["medications_text"], submit=submit
                )
            except services.ScreeningError:
                intake.refresh_from_db()
                return _hub(request, intake, context)
            if saved.intake.client_submitted_at:
                context["just_sent"] = True
                return _hub(request, saved.intake, context)
            if submit and saved.missing:
                form.mark_missing(saved.missing, "Please answer this question.")
            else:
                context["saved"] = True
        return render(request, "screening/intake_client.html", context)


def _hub(request, intake, context):
    context["assignments"] = [
        (assignment, get_instrument(assignment.instrument_id))
        for assignment in services.open_screener_assignments(intake)
    ]
    return render(request, "screening/intake_client_done.html", context)


@public_link(INTAKE_LINK, Intake.objects.by_link)
@require_POST
def intake_questionnaire(request, intake, token, assignment_id):
    """Open one of the client's intake questionnaires: a fresh questionnaire link, then go there."""
    # The questionnaire link is audited in the client's practice, whoever's browser this is.
    request.practice = intake.practice
    with practice_scope(intake.practice):
        assignment = (
            Assignment.objects.open()
            .filter(pk=assignment_id, episode=intake.episode, instrument_id__in=SCREENERS)
            .first()
        )
        if assignment is None:
            raise Http404("No such questionnaire for this intake.")
        questionnaire_token = issue_link(request, assignment)
    return redirect("measures:link", token=questionnaire_token)
