"""From the intake and the screeners to the facts the eligibility engine reads.

The mapping (also in this app's README):

* **Intake answers**: every non-derived fact of ``facts.toml`` outside the ``screener`` group is
  stored in ``Intake.answers`` under its own key and passed on unchanged. ``answered_by = "client"``
  facts are asked on the client's link (staff may verify and amend them), ``"clinician"`` facts on
  the staff form.
* **age**: from the client's date of birth, on the practice's calendar day of the assessment.
* **Implied answers**: "no seizures ever" implies ``seizure_recent = false``; "no thyroid condition"
  implies ``hyperthyroidism_uncontrolled = false``. These follow-up questions are asked only when the
  first answer is yes. (``hypertension_controlled`` needs no implication: the rule reads it only with
  ``hypertension = true``.)
* **bmi** is derived by the engine from ``weight_kg`` and ``height_cm``.
* **Screeners** (the newest submitted response of the episode, at or before the assessment time):
  PHQ-9 total → ``phq9_total`` and item 9 → ``phq9_item9``; GAD-7, PCL-5, AUDIT and DAST-10 totals →
  ``gad7_total``, ``pcl5_total``, ``audit_total``, ``dast10_total``; the C-SSRS screener's triage band
  (severity none / mild / moderate / severe) → ``cssrs_risk`` none / low / moderate / high; the MDQ
  positive screen → ``mdq_positive``; PQ-B items answered yes (subscale ``positive_items``) →
  ``pqb_total`` and its distress score (subscale ``distress``) → ``pqb_distress``.

A fact missing from all of these is simply absent: the engine reports the rules that need it as
"not assessed", never as passed.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from kapstone.clinical import get_instrument
from kapstone.clinical.eligibility import load_fact_catalogue
from kapstone.measures.models import QuestionnaireResponse

# The screeners of the intake, in the order the intake page lists them.
SCREENERS = ("phq9", "gad7", "pcl5", "cssrs_screener", "audit", "dast10", "mdq", "pqb")

# follow-up fact -> (the fact that opens it, the answer that opens it)
FOLLOW_UPS = {
    "hypertension_controlled": ("hypertension", True),
    "seizure_recent": ("seizure_disorder", True),
    "hyperthyroidism_uncontrolled": ("thyroid_disease", True),
}
# Follow-ups whose "no" follows from a "no" to the question that opens them.
IMPLIED_FALSE = ("seizure_recent", "hyperthyroidism_uncontrolled")

# Facts not asked on the intake forms: derived by the engine, or taken from the client record.
NOT_ASKED = ("age",)

CSSRS_RISK = {"none": "none", "mild": "low", "moderate": "moderate", "severe": "high"}

GROUP_TITLES = {
    "demographics": "Weight and height",
    "vitals": "Vital signs at intake",
    "cardiovascular": "Heart and blood vessels",
    "medical": "Other medical history",
    "psychiatric": "Mental health history",
    "substance": "Alcohol and drugs",
    "medication": "Current medicines",
}
CLIENT_GROUP_TITLES = {
    "cardiovascular": "Your heart and blood vessels",
    "medical": "Your health",
    "psychiatric": "Your mental health",
    "substance": "Alcohol and drugs",
}


def catalogue():
    return load_fact_catalogue()


def intake_specs(answered_by: str | None = None):
    """The facts the intake asks (not screeners, not derived, not from the client record)."""
    return [
        spec
        for spec in catalogue().facts.values()
        if spec.group != "screener"
        and not spec.derived
        and spec.key not in NOT_ASKED
        and (answered_by is None or spec.answered_by == answered_by)
    ]


def screener_specs():
    return [spec for spec in catalogue().facts.values() if spec.group == "screener"]


def is_asked(key: str, answers: dict) -> bool:
    """A follow-up question is asked only when the question that opens it has the opening answer."""
    if key not in FOLLOW_UPS:
        return True
    parent, value = FOLLOW_UPS[key]
    return answers.get(parent) == value


def missing_answers(answers: dict, answered_by: str | None = None):
    """The intake questions still unanswered (follow-ups only when they are asked), in catalogue order."""
    return [
        spec
        for spec in intake_specs(answered_by)
        if is_asked(spec.key, answers) and answers.get(spec.key) is None
    ]


def screener_responses(episode, as_of=None) -> dict:
    """instrument id -> the newest submitted response of the episode (at or before ``as_of``)."""
    responses = QuestionnaireResponse.objects.submitted().filter(episode=episode, instrument_id__in=SCREENERS)
    if as_of is not None:
        responses = responses.filter(submitted_at__lte=as_of)
    newest = {}
    for response in responses.order_by("submitted_at"):
        newest[response.instrument_id] = response
    return newest


def screener_facts(response) -> dict:
    """The facts one scored screener response supplies."""
    result = response.result or {}
    subscales = result.get("subscales", {})
    total = None if response.total is None else int(response.total)
    match response.instrument_id:
        case "phq9":
            item9 = response.answers.get("9")
            return {"phq9_total": total, "phq9_item9": None if item9 is None else int(item9)}
        case "gad7" | "pcl5" | "audit" | "dast10":
            return {f"{response.instrument_id}_total": total}
        case "cssrs_screener":
            return {"cssrs_risk": CSSRS_RISK.get(response.severity)}
        case "mdq":
            return {"mdq_positive": response.positive_screen}
        case "pqb":
            return {"pqb_total": subscales.get("positive_items"), "pqb_distress": subscales.get("distress")}
    return {}


@dataclass
class BuiltFacts:
    facts: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)  # fact key -> words saying where it came from
    responses: dict = field(default_factory=dict)  # instrument id -> QuestionnaireResponse


def build_facts(intake, as_of=None) -> BuiltFacts:
    """The engine's facts from an intake and its episode's screeners (see the module docstring)."""
    as_of = as_of or timezone.now()
    built = BuiltFacts()
    answers = intake.answers or {}
    for spec in intake_specs():
        value = answers.get(spec.key)
        if value is None and spec.key in IMPLIED_FALSE:
            parent, _ = FOLLOW_UPS[spec.key]
            if answers.get(parent) is False:
                built.facts[spec.key] = False
                built.sources[spec.key] = f"implied by “{catalogue()[parent].label}: no”"
            continue
        if value is not None and is_asked(spec.key, answers):
            built.facts[spec.key] = value
            built.sources[spec.key] = "intake"
    client = intake.client
    day = timezone.localdate(as_of, timezone=intake.practice.zone)
    built.facts["age"] = client.age_on(day)
    built.sources["age"] = "date of birth on the client record"
    built.responses = screener_responses(intake.episode, as_of)
    for instrument_id, response in built.responses.items():
        name = get_instrument(instrument_id).short_name
        for key, value in screener_facts(response).items():
            if value is not None:
                built.facts[key] = value
                built.sources[key] = (
                    f"{name}, {timezone.localtime(response.submitted_at, intake.practice.zone):%Y-%m-%d}"
                )
    return built
