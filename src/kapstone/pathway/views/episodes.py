"""Staff pages of one client's episodes: the episode and its timeline, readiness, preparation, escort."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from kapstone.audit.services import log_event
from kapstone.clients.access import get_client
from kapstone.practice.permissions import Capability, can

from .. import preparation as prep
from .. import services
from ..access import CHANGE, client_for, episode_of, may_change
from ..forms import EscortForm, PlanForm, PreparationSessionForm, TransitionForm, WordsForm
from ..models import Episode, EpisodeState, Escort, Goal, Intention
from ..programmes import programmes_for
from ..readiness import CHECKLIST_CODES, readiness_checklist

# Where each readiness item is completed: URL name, whether it takes the episode too, link text.
COMPLETE_AT = {
    "pathway.consent": ("pathway:consent", True, "Consent page"),
    "pathway.preparation": ("pathway:preparation", True, "Preparation page"),
    "pathway.escort": ("pathway:escort", True, "Escort page"),
    "measures.baseline": ("measures:client", False, "Measures page"),
}


def _base_context(request, client, episode):
    return {
        "client": client,
        "episode": episode,
        "age": client.age_on(request.practice.today()),
        "can_change": may_change(request),
    }


def episode_list(request, client_id):
    client = client_for(request, client_id)
    episodes = Episode.objects.filter(client=client).select_related("programme")
    log_event(request, "pathway.episodes.viewed", obj=client)
    context = {
        "client": client,
        "episodes": episodes,
        "has_open": any(episode.is_open for episode in episodes),
        "age": client.age_on(request.practice.today()),
        "can_change": may_change(request),
    }
    return render(request, "pathway/episode_list.html", context)


@require_POST
def episode_open(request, client_id):
    client = client_for(request, client_id, change=True)
    try:
        episode = services.start_episode(request, client)
    except services.EpisodeError as error:
        messages.error(request, str(error))
        return redirect("pathway:episodes", client_id=client.pk)
    messages.success(request, "Opened a new episode of care. It starts as referred.")
    return redirect("pathway:episode", client_id=client.pk, episode_id=episode.pk)


def episode_detail(request, client_id, episode_id):
    client = client_for(request, client_id)
    episode = episode_of(client, episode_id)
    return _render_episode(request, client, episode)


def _render_episode(request, client, episode, *, transition_form=None, plan_form=None, gaps=()):
    """The episode page, also after a refused move or plan (with the form as typed)."""
    can_override = request.membership.role in services.OVERRIDE_ROLES
    programmes_for(request.practice)  # a practice's first plan writes the default programmes
    log_event(request, "pathway.episode.viewed", obj=episode)
    context = _base_context(request, client, episode) | {
        "transitions": episode.transitions.select_related("actor"),
        "transition_form": transition_form or TransitionForm(episode=episode, can_override=can_override),
        "plan_form": plan_form or PlanForm(episode=episode),
        "gaps": [(gap, CHECKLIST_CODES.get(gap.code)) for gap in gaps],
        "can_override": can_override,
        "checklist": readiness_checklist(episode),
        "other_episodes": Episode.objects.filter(client=client).exclude(pk=episode.pk).count(),
        "gate_labels": {code: item.label for code, item in CHECKLIST_CODES.items()},
    }
    context["met"] = sum(row.met for row in context["checklist"])
    return render(request, "pathway/episode.html", context)


@require_POST
def episode_move(request, client_id, episode_id):
    client = client_for(request, client_id, change=True)
    episode = episode_of(client, episode_id)
    can_override = request.membership.role in services.OVERRIDE_ROLES
    form = TransitionForm(request.POST, episode=episode, can_override=can_override)
    gaps = []
    if form.is_valid():
        target = form.cleaned_data["to_state"]
        try:
            services.transition(
                request,
                episode,
                target,
                reason=form.cleaned_data["reason"],
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except services.TransitionError as error:
            form.add_error(None, str(error))
            gaps = error.gaps
        else:
            messages.success(request, f"Moved the episode to {EpisodeState(target).label.lower()}.")
            return redirect("pathway:episode", client_id=client.pk, episode_id=episode.pk)
    return _render_episode(request, client, episode, transition_form=form, gaps=gaps)


@require_POST
def episode_plan(request, client_id, episode_id):
    client = client_for(request, client_id, change=True)
    episode = episode_of(client, episode_id)
    form = PlanForm(request.POST, episode=episode)
    if form.is_valid():
        programme = form.cleaned_data["programme"]
        try:
            services.plan_episode(request, episode, programme)
        except services.EpisodeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Planned from {programme.name}." if programme else "The episode has no programme now.",
            )
        return redirect("pathway:episode", client_id=client.pk, episode_id=episode.pk)
    return _render_episode(request, client, episode, plan_form=form)


def readiness(request, client_id, episode_id):
    client = client_for(request, client_id)
    episode = episode_of(client, episode_id)
    rows = readiness_checklist(episode)
    for row in rows:
        row.url, row.link_text = _complete_at(row.item.code, client, episode)
    log_event(request, "pathway.readiness.viewed", obj=episode)
    context = _base_context(request, client, episode) | {
        "rows": rows,
        "met": sum(row.met for row in rows),
    }
    return render(request, "pathway/readiness.html", context)


def _complete_at(code, client, episode) -> tuple[str, str]:
    name, with_episode, text = COMPLETE_AT.get(code, (None, False, ""))
    if name is None:
        return "", ""
    try:
        return reverse(name, args=[client.pk, episode.pk] if with_episode else [client.pk]), text
    except NoReverseMatch:
        return "", ""


# --- Preparation -------------------------------------------------------------------------------


def _default_therapist(request, client):
    if request.membership.role == "therapist":
        return request.membership.pk
    lead = (
        client.care_team.filter(membership__role="therapist", membership__is_active=True)
        .order_by("role")
        .values_list("membership", flat=True)
        .first()
    )
    return lead


def preparation(request, client_id, episode_id):
    client = client_for(request, client_id, change=request.method == "POST")
    episode = episode_of(client, episode_id)
    today = request.practice.today()
    if request.method == "POST":
        form = PreparationSessionForm(request.POST, episode=episode, today=today, prefix="session")
        if form.is_valid():
            data = form.cleaned_data
            try:
                prep.record_preparation_session(
                    request,
                    episode,
                    held_on=data["held_on"],
                    therapist=data["therapist"],
                    notes=data["notes"],
                    goals=data["goals"],
                    intentions=data["intentions"],
                )
            except prep.PreparationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Recorded the preparation session of {data['held_on']:%Y-%m-%d}.")
                return redirect("pathway:preparation", client_id=client.pk, episode_id=episode.pk)
        return _render_preparation(request, client, episode, session_form=form)
    return _render_preparation(request, client, episode)


@require_POST
def revisit_words(request, client_id, episode_id):
    client = client_for(request, client_id, change=True)
    episode = episode_of(client, episode_id)
    goal, intention = prep.current(Goal, episode), prep.current(Intention, episode)
    form = WordsForm(
        request.POST,
        prefix="words",
        current_goals=goal.text if goal else "",
        current_intentions=intention.text if intention else "",
    )
    if form.is_valid():
        try:
            prep.revise_words(
                request, episode, goals=form.cleaned_data["goals"], intentions=form.cleaned_data["intentions"]
            )
        except prep.PreparationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved the new version. Earlier versions stay in the history.")
            return redirect("pathway:preparation", client_id=client.pk, episode_id=episode.pk)
    return _render_preparation(request, client, episode, words_form=form)


def _render_preparation(request, client, episode, *, session_form=None, words_form=None):
    log_event(request, "pathway.preparation.viewed", obj=episode)
    goals = list(Goal.objects.filter(episode=episode).select_related("recorded_by", "preparation_session"))
    intentions = list(
        Intention.objects.filter(episode=episode).select_related("recorded_by", "preparation_session")
    )
    current_goal = goals[0] if goals else None
    current_intention = intentions[0] if intentions else None
    words = {
        "goals": current_goal.text if current_goal else "",
        "intentions": current_intention.text if current_intention else "",
    }
    if session_form is None:
        session_form = PreparationSessionForm(
            episode=episode,
            today=request.practice.today(),
            prefix="session",
            initial={"held_on": request.practice.today(), "therapist": _default_therapist(request, client)}
            | words,
        )
    if words_form is None:
        words_form = WordsForm(
            prefix="words",
            initial=words,
            current_goals=words["goals"],
            current_intentions=words["intentions"],
        )
    sessions = list(episode.preparation_sessions.select_related("therapist__user", "recorded_by"))
    context = _base_context(request, client, episode) | {
        "sessions": sessions,
        "planned_sessions": episode.programme.preparation_sessions if episode.programme else None,
        "goals": goals,
        "intentions": intentions,
        "current_goal": current_goal,
        "current_intention": current_intention,
        "session_form": session_form,
        "words_form": words_form,
    }
    return render(request, "pathway/preparation.html", context)


# --- Escort ------------------------------------------------------------------------------------


def escort(request, client_id, episode_id):
    """The escort has no clinical content: anyone who edits the client's record may name one."""
    client = get_client(request, client_id, CHANGE)
    episode = episode_of(client, episode_id)
    current = Escort.objects.filter(episode=episode).select_related("updated_by").first()
    initial = (
        {"name": current.name, "relationship": current.relationship, "phone": current.phone}
        if current
        else {}
    )
    form = EscortForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            prep.save_escort(request, episode, **form.cleaned_data)
        except prep.PreparationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {form.cleaned_data['name']} as the escort for the ride home.")
            return redirect("pathway:escort", client_id=client.pk, episode_id=episode.pk)
    log_event(request, "pathway.escort.viewed", obj=episode)
    context = {
        "client": client,
        "episode": episode,
        "escort": current,
        "form": form,
        "age": client.age_on(request.practice.today()),
        "show_clinical_nav": can(request.membership, Capability.VIEW_CLINICAL),
    }
    return render(request, "pathway/escort.html", context)
