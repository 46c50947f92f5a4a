"""Words for the public pages: the default "about KAP" text a practice can rewrite, and the brief
self-check on the inquiry form. Plain language, about an 8th-grade reading level. Nothing here decides
anything: the self-check answers only help a clinician prepare for the first conversation."""

from dataclasses import dataclass

from kapstone.clinical.eligibility import load_evidence

from .models import AboutPage

DEFAULT_ABOUT = {
    "intro": (
        "Ketamine-assisted psychotherapy (KAP) combines talking therapy with a carefully dosed medicine, "
        "ketamine, given under medical supervision. Ketamine is an anaesthetic that, at lower doses, can "
        "ease depression quickly for some people. Research suggests it helps the brain form new "
        "connections for a while after a dose, which may make therapy work more easily.\n\n"
        "KAP is not a cure, and it is not right for everyone. It is one option among many, and we will "
        "help you decide whether it fits you."
    ),
    "phases": (
        "Preparation: you meet your therapist a few times to get to know each other, talk about what "
        "you hope for, and plan the medicine sessions together.\n\n"
        "Medicine sessions: you take ketamine at the practice while a clinician checks your blood "
        "pressure and how you feel. Your therapist stays with you. Someone you trust takes you home "
        "afterwards.\n\n"
        "Integration: in the days after each session you meet your therapist to make sense of the "
        "experience and turn it into steps in your everyday life."
    ),
    "who_may_help": (
        "Adults living with depression that has not improved enough with other treatments, and some "
        "people with anxiety, trauma (PTSD) or thoughts of suicide, may benefit. Studies of ketamine "
        "show the strongest evidence for depression, including rapid relief of suicidal thoughts for "
        "some people."
    ),
    "who_not_for": (
        "KAP is for adults (18 and over). It may not be safe, or may need extra care, for people who:\n"
        "- have high blood pressure that is not under control, or some heart, brain or blood-vessel "
        "conditions;\n"
        "- have now, or have had, psychosis or mania;\n"
        "- are pregnant or breastfeeding;\n"
        "- are struggling with alcohol or drug use right now;\n"
        "- have had an allergic reaction to ketamine.\n\n"
        "If any of these apply to you, please still reach out: a clinician will talk it through with you."
    ),
    "screening": (
        "First, someone from our team calls or writes back to you. If you would like to go ahead, you "
        "fill in a health questionnaire and a few short questionnaires about your mood, worries, sleep, "
        "alcohol and drug use. Then you meet a clinician who asks about your health and your medicines "
        "and checks your blood pressure, heart rate, weight and height.\n\n"
        "A prescriber then reviews everything and decides with you whether KAP is safe and right for "
        "you now. You can ask questions at every step, and you can stop at any time."
    ),
}

# The studies behind KAP and the consensus that guides practice (ids in the evidence library).
DEFAULT_EVIDENCE = [
    "zorumski-2016",
    "duman-2016",
    "ly-2018",
    "scheidegger-2012",
    "wilkinson-2018",
    "mcintyre-2021",
    "sanacora-2017",
]

ABOUT_SECTIONS = (
    ("intro", "What is ketamine-assisted psychotherapy?"),
    ("phases", "The three phases"),
    ("who_may_help", "Who it may help"),
    ("who_not_for", "Who it is not for"),
    ("screening", "What screening involves"),
)


@dataclass(frozen=True)
class SelfCheckQuestion:
    key: str
    text: str


# A brief self-check on the inquiry form. Optional, three answers, never scored and never answered
# with a verdict: the visitor is told that a clinician will review it.
SELF_CHECK = (
    SelfCheckQuestion("adult", "Are you 18 or older?"),
    SelfCheckQuestion("blood_pressure", "Do you have high blood pressure that is not well controlled?"),
    SelfCheckQuestion(
        "heart_or_brain",
        "Have you had a heart condition, a stroke, an aneurysm or bleeding in the brain?",
    ),
    SelfCheckQuestion(
        "psychosis_or_mania",
        "Have you ever had psychosis (for example hearing or seeing things others do not) or mania?",
    ),
    SelfCheckQuestion("pregnancy", "Are you pregnant, or breastfeeding?"),
    SelfCheckQuestion("substances", "Are you struggling with alcohol or drug use at the moment?"),
)
SELF_CHECK_ANSWERS = (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure"))


def about_text(practice) -> dict:
    """The practice's page text, or the default; with the cited sources resolved."""
    page = AboutPage.objects.filter(practice=practice).first()
    texts = {key: getattr(page, key) if page else DEFAULT_ABOUT[key] for key, _ in ABOUT_SECTIONS}
    ids = page.evidence_ids if page else DEFAULT_EVIDENCE
    library = load_evidence()
    return {
        "page": page,
        "sections": [(key, title, texts[key]) for key, title in ABOUT_SECTIONS],
        "evidence": [library[source] for source in ids if source in library],
    }
