"""Staff pages of screening: a client's intake, assessments and decision, and the screening worklist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kapstone.audit.services import log_event
from kapstone.clients.access import get_client, visible_clients
from kapstone.clinical import get_instrument
from kapstone.measures.models import Assignment
from kapstone.pathway.models import Episode, EpisodeState, with_current_stage
from kapstone.pathway.transitions import gaps_for
from kapstone.practice.permissions import Capability, capability_required

from .. import services
from ..assessment import DECIDER_ROLES, decision_blockers
from ..assessment import decide as decide_eligibility
from ..assessment import run_assessment as assess_intake
from ..forms import DecisionForm, IntakeForm
from ..intake_facts import SCREENERS, intake_specs, missing_answers, screener_responses
from ..models import EligibilityAssessment, EligibilityDecision, Intake
from ..presenters import assessment_view
from ..tasks import send_intake_link

CLINICAL = Capability.VIEW_CLINICAL


def _episode_and_intake(client):
    episode = services.current_episode(client)
    return episode, services.intake_for(episode)


def _require_decider(request):
    if request.membership.role not in DECIDER_ROLES:
        raise PermissionDenied("Only a prescriber decides eligibility.")


# ---------------------------------------------------------------- the worklist


@capability_required(CLINICAL)
def worklist(request):
    """The member's clients in screening: where each intake stands and what awaits a decision."""
    newest_episode = Episode.objects.filter(client=OuterRef("pk")).order_by("-opened_at")
    intakes = Intake.objects.filter(episode=OuterRef("episode_id"))
    assessments = EligibilityAssessment.objects.filter(episode=OuterRef("episode_id")).order_by("-created_at")
    decisions = EligibilityDecision.objects.filter(episode=OuterRef("episode_id")).order_by("-decided_at")
    clients = (
        with_current_stage(visible_clients(request.membership))
        .filter(stage=EpisodeState.SCREENING)
        .annotate(episode_id=Subquery(newest_episode.values("pk")[:1]))
        .annotate(
            intake_id=Subquery(intakes.values("pk")[:1]),
            intake_completed_at=Subquery(intakes.values("completed_at")[:1]),
            client_submitted_at=Subquery(intakes.values("client_submitted_at")[:1]),
            assessment_id=Subquery(assessments.values("pk")[:1]),
            recommendation=Subquery(assessments.values("recommendation")[:1]),
            assessed_at=Subquery(assessments.values("created_at")[:1]),
            decided_at=Subquery(decisions.values("decided_at")[:1]),
        )
        .order_by("legal_last_name", "legal_first_name", "pk")[:300]
    )
    log_event(request, "screening.worklist.viewed")
    return render(request, "screening/worklist.html", {"clients": clients})


# ---------------------------------------------------------------- one client's screening


def client_screening(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    episode, intake = _episode_and_intake(client)
    responses = screener_responses(episode) if episode else {}
    assessments = EligibilityAssessment.objects.filter(client=client).select_related("created_by")
    decisions = EligibilityDecision.objects.filter(client=client).select_related("decided_by", "assessment")
    context = {
        "client": client,
        "age": client.age_on(request.practice.today()),
        "episode": episode,
        "intake": intake,
        "missing": missing_answers(intake.answers if intake else {}),
        "screeners": _screener_rows(episode, responses),
        "assessments": assessments,
        "decisions": decisions,
        "gaps": gaps_for(episode, EpisodeState.ELIGIBLE) if episode else [],
        "can_decide": request.membership.role in DECIDER_ROLES,
    }
    log_event(request, "screening.overview.viewed", obj=client)
    return render(request, "screening/client.html", context)


def _screener_rows(episode, responses):
    assigned = {}
    if episode is not None:
        for assignment in Assignment.objects.open().filter(episode=episode, instrument_id__in=SCREENERS):
            assigned.setdefault(assignment.instrument_id, assignment)
    return [
        {
            "instrument": get_instrument(instrument_id),
            "response": responses.get(instrument_id),
            "assignment": assigned.get(instrument_id),
        }
        for instrument_id in SCREENERS
    ]


def intake(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    episode, current = _episode_and_intake(client)
    if episode is None:
        messages.error(request, "Open an episode of care before starting an intake.")
        return client_screening(request, client_id)
    shown = current or Intake(practice=client.practice, client=client, episode=episode)
    form = IntakeForm(
        request.POST or None,
        specs=intake_specs(),
        notes=True,
        initial=IntakeForm.initial_from(shown),
    )
    if request.method == "POST" and form.is_valid():
        current = current or services.start_intake(request, client, episode)
        complete = "complete" in request.POST
        saved = services.save_intake(
            request,
            current,
            form.answers(),
            medications_text=form.cleaned_data["medications_text"],
            clinical_notes=form.cleaned_data["clinical_notes"],
            complete=complete,
        )
        if complete and saved.missing:
            form.mark_missing(saved.missing)
            shown = saved.intake
        else:
            if saved.intake.is_complete:
                messages.success(request, "Intake complete. You can now run the eligibility assessment.")
            else:
                messages.success(request, "Intake saved as a draft.")
            return redirect("screening:client", client_id=client.pk)
    elif request.method == "GET":
        log_event(request, "screening.intake.viewed", obj=current or client)
    context = {
        "client": client,
        "age": client.age_on(request.practice.today()),
        "intake": shown,
        "form": form,
        "missing": missing_answers(shown.answers or {}),
    }
    return render(request, "screening/intake.html", context)


@require_POST
def intake_link(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    episode, current = _episode_and_intake(client)
    if episode is None:
        messages.error(request, "Open an episode of care before sending an intake link.")
        return client_screening(request, client_id)
    current = current or services.start_intake(request, client, episode)
    if current.client_submitted_at or current.is_complete:
        messages.error(request, "The client's part of this intake is already done; no link is needed.")
        return redirect("screening:client", client_id=client.pk)
    token = services.issue_intake_link(request, current)
    url = request.build_absolute_uri(reverse("screening:intake_form", args=[token]))
    emailed = bool(request.POST.get("email") and client.email)
    if emailed:
        send_intake_link.enqueue(str(current.pk), url)
    context = {
        "client": client,
        "intake": current,
        "url": url,
        "emailed": emailed,
        "age": client.age_on(request.practice.today()),
    }
    return render(request, "screening/intake_link_created.html", context)


@require_POST
def assign_screeners(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    episode, current = _episode_and_intake(client)
    if episode is None:
        messages.error(request, "Open an episode of care before assigning screeners.")
        return redirect("screening:client", client_id=client.pk)
    current = current or services.start_intake(request, client, episode)
    created = services.assign_screeners(request, current)
    if created:
        names = ", ".join(get_instrument(a.instrument_id).short_name for a in created)
        messages.success(
            request, f"Assigned {names}. The client reaches them from their intake link, or staff enter them."
        )
    else:
        messages.success(request, "Every intake screener is already assigned or done.")
    return redirect("screening:client", client_id=client.pk)


@require_POST
def run_assessment(request, client_id):
    client = get_client(request, client_id, CLINICAL)
    _episode, current = _episode_and_intake(client)
    if current is None:
        messages.error(request, "Start and complete the intake before running the eligibility assessment.")
        return redirect("screening:client", client_id=client.pk)
    try:
        assessment, created = assess_intake(request, current)
    except services.ScreeningError as error:
        messages.error(request, str(error))
        return redirect("screening:client", client_id=client.pk)
    if not created:
        messages.success(request, "Nothing changed since the last assessment, so it still stands.")
    return redirect("screening:assessment", client_id=client.pk, assessment_id=assessment.pk)


# ---------------------------------------------------------------- an assessment and its decision


def _assessment_page(request, client, assessment, form=None, status=200):
    decisions = list(assessment.decisions.select_related("decided_by"))
    blockers = decision_blockers(assessment)
    can_decide = request.membership.role in DECIDER_ROLES and not blockers
    if can_decide and form is None:
        form = DecisionForm(assessment=assessment)
    context = {
        "client": client,
        "age": client.age_on(request.practice.today()),
        "assessment": assessment,
        "view": assessment_view(assessment),
        "decisions": decisions,
        "blockers": blockers,
        "can_decide": can_decide,
        "is_prescriber": request.membership.role in DECIDER_ROLES,
        "form": form if can_decide else None,
    }
    return render(request, "screening/assessment.html", context, status=status)


def _get_assessment(client, assessment_id):
    return get_object_or_404(
        EligibilityAssessment.objects.select_related("episode", "intake", "created_by"),
        client=client,
        pk=assessment_id,
    )


def assessment(request, client_id, assessment_id):
    client = get_client(request, client_id, CLINICAL)
    found = _get_assessment(client, assessment_id)
    log_event(request, "screening.assessment.viewed", obj=found)
    return _assessment_page(request, client, found)


@require_POST
def decide(request, client_id, assessment_id):
    client = get_client(request, client_id, CLINICAL)
    _require_decider(request)
    found = _get_assessment(client, assessment_id)
    form = DecisionForm(request.POST, assessment=found)
    if form.is_valid():
        try:
            decision = decide_eligibility(
                request,
                found,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                conditions=form.cleaned_data["conditions"],
            )
        except services.ScreeningError as error:
            form.add_error(None, str(error))
            for gap in error.gaps:
                form.add_error(None, f"{gap.label} (needs {gap.who})")
        else:
            episode = Episode.objects.get(pk=found.episode_id)
            messages.success(
                request,
                f"Decision recorded: {decision.get_outcome_display().lower()}. "
                f"The episode is now {episode.get_state_display().lower()}.",
            )
            return redirect("screening:assessment", client_id=client.pk, assessment_id=found.pk)
    return _assessment_page(request, client, found, form=form)
