"""The client's side of a questionnaire link: no account, works on a phone, one submission."""

from django.shortcuts import render

from kapstone.audit.services import log_event
from kapstone.clinical import get_instrument
from kapstone.practice.public_links import public_link
from kapstone.practice.tenancy import practice_scope

from . import services
from .forms import QuestionnaireForm
from .models import QUESTIONNAIRE_LINK, Assignment


@public_link(QUESTIONNAIRE_LINK, Assignment.objects.by_link)
def questionnaire(request, assignment, token):
    practice = assignment.practice
    with practice_scope(practice):
        instrument = get_instrument(assignment.instrument_id)
        response = services.draft_for(assignment.client, instrument.id, source="link", assignment=assignment)
        initial = {f"item_{item}": value for item, value in response.answers_by_item().items()}
        form = QuestionnaireForm(request.POST or None, instrument=instrument, initial=initial)
        context = {
            "practice": practice,
            "instrument": instrument,
            "assignment": assignment,
            "form": form,
            "crisis_resources": practice.crisis_resources,
        }
        if request.method == "GET":
            log_event(request, "measures.link.opened", obj=assignment, practice=practice)
        elif form.is_valid():
            try:
                outcome = services.save_answers(
                    request, response, form.answers(), submit="submit" in request.POST
                )
            except services.AlreadySubmitted:
                # A second send of this link at the same moment (a double tap, two tabs): the
                # first one's answers are kept.
                return render(request, "measures/link_already_submitted.html", context, status=409)
            if outcome.submitted:
                context["show_crisis"] = outcome.response.has_critical or bool(outcome.alerts)
                return render(request, "measures/link_done.html", context)
            if outcome.missing:
                form.mark_missing(outcome.missing)
            else:
                context["saved"] = True
        return render(request, "measures/link_questionnaire.html", context)
