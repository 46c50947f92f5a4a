"""Builders for screening tests: a clean intake, clean screeners, complete intakes and assessments."""

from kapstone.clinical import get_instrument
from kapstone.clinical.instruments import visible_items
from kapstone.measures import services as measures
from kapstone.screening import services
from kapstone.screening.assessment import run_assessment
from kapstone.screening.intake_facts import SCREENERS, intake_specs

# Every intake question answered with the answer that fires no rule.
CLEAN_ANSWERS = {
    spec.key: {"bool": False, "list": [], "choice": "none"}.get(spec.type) for spec in intake_specs()
}
CLEAN_ANSWERS.update(weight_kg=72.5, height_cm=170, sbp=122, dbp=78, hr=70)
for _follow_up in ("hypertension_controlled", "seizure_recent", "hyperthyroidism_uncontrolled"):
    CLEAN_ANSWERS.pop(_follow_up)


def lowest_answers(instrument_id, **overrides):
    """The first option of every item shown (a 'no' everywhere), with some answers changed."""
    instrument = get_instrument(instrument_id)
    answers = {
        item.number: item.options[0].value if item.options else item.value_range[0]
        for item in instrument.items
    }
    answers.update({int(k.removeprefix("item_")): v for k, v in overrides.items()})
    shown = {item.number for item in visible_items(instrument, answers)}
    return {number: value for number, value in answers.items() if number in shown}


def submit_screener(client, instrument_id, answers=None, entered_by=None):
    draft = measures.draft_for(client, instrument_id, source="staff", entered_by=entered_by)
    outcome = measures.save_answers(None, draft, answers or lowest_answers(instrument_id), submit=True)
    assert outcome.submitted, outcome.missing
    return outcome.response


def submit_clean_screeners(client, skip=()):
    return {i: submit_screener(client, i) for i in SCREENERS if i not in skip}


def complete_intake(client, request=None, **answers):
    episode = services.current_episode(client)
    intake = services.start_intake(request, client, episode)
    saved = services.save_intake(request, intake, {**CLEAN_ANSWERS, **answers}, complete=True)
    assert not saved.missing, saved.missing
    return saved.intake


def assessed(client, request=None, screeners=True, **answers):
    """A complete intake (clean unless answers say otherwise), clean screeners, and its assessment."""
    intake = complete_intake(client, request, **answers)
    if screeners:
        submit_clean_screeners(client)
    assessment, _ = run_assessment(request, intake)
    return assessment
