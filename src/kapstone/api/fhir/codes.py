"""Every code system and code the FHIR export uses, in one place (the table in ``docs/fhir.md``).

Standard codes (LOINC, UCUM, SNOMED CT, RxNorm, HL7 terminology) are named here with where they were
checked; ``verified=False`` marks a code we could not confirm from a published source, so a receiving
system should check it before relying on it. kapstone's own concepts (appointment kinds, alert kinds,
instruments without a LOINC total) use code systems under :data:`KAPSTONE`, a base that cannot
resolve (``.invalid``, as ``kapstone.pdf``'s base): the project has no domain of its own yet, and
these URLs only need to be stable, not reachable.
"""

from dataclasses import dataclass

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"

KAPSTONE = "https://kapstone.invalid/fhir"
ENCOUNTER_TYPE = f"{KAPSTONE}/CodeSystem/encounter-type"
INSTRUMENT_SCORE = f"{KAPSTONE}/CodeSystem/instrument-score"
ADVERSE_EVENT_CATEGORY = f"{KAPSTONE}/CodeSystem/adverse-event-category"
RELATEDNESS = f"{KAPSTONE}/CodeSystem/adverse-event-relatedness"
ALERT_KIND = f"{KAPSTONE}/CodeSystem/safety-alert-kind"
CONSENT_KIND = f"{KAPSTONE}/CodeSystem/consent-kind"
EPISODE_STATE = f"{KAPSTONE}/CodeSystem/episode-state"
QUESTIONNAIRE = f"{KAPSTONE}/Questionnaire"
RECORD_NUMBER = f"{KAPSTONE}/NamingSystem/record-number"


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str
    verified: bool = True

    def coding(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}

    def concept(self, text: str | None = None) -> dict[str, object]:
        concept: dict[str, object] = {"coding": [self.coding()]}
        if text:
            concept["text"] = text
        return concept


# --- vital signs (LOINC, FHIR vital-signs value set) and their UCUM units -------------------------

BP_PANEL = Code(LOINC, "85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = Code(LOINC, "8480-6", "Systolic blood pressure")
DIASTOLIC = Code(LOINC, "8462-4", "Diastolic blood pressure")
HEART_RATE = Code(LOINC, "8867-4", "Heart rate")
SPO2 = Code(LOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")
RESPIRATORY_RATE = Code(LOINC, "9279-1", "Respiratory rate")
VITAL_SIGNS = Code(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")
SURVEY = Code(OBSERVATION_CATEGORY, "survey", "Survey")

MM_HG = Code(UCUM, "mm[Hg]", "mmHg")
PER_MINUTE = Code(UCUM, "/min", "/min")
PERCENT = Code(UCUM, "%", "%")
MG = Code(UCUM, "mg", "mg")
SCORE = Code(UCUM, "{score}", "{score}")

# --- questionnaire totals: LOINC where it has one, else kapstone's instrument-score system --------

LOINC_TOTALS = {
    "phq9": Code(LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": Code(LOINC, "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}


def score_code(instrument_id: str, short_name: str) -> Code:
    """The code of an instrument's total: its LOINC code, or kapstone's code named by the instrument id."""
    return LOINC_TOTALS.get(instrument_id) or Code(
        INSTRUMENT_SCORE, instrument_id, f"{short_name} total score"
    )


# --- medicines (RxNorm ingredients) and routes (SNOMED CT route of administration) ----------------

# Not confirmed here against an RxNorm release (no RxNav lookup from this build): docs/fhir.md.
KETAMINE = Code(RXNORM, "6130", "ketamine", verified=False)
ESKETAMINE = Code(RXNORM, "2056045", "esketamine", verified=False)

# Corroborated by several FHIR implementations, not checked against a SNOMED CT release.
ROUTES = {
    "sublingual": Code(SNOMED, "37839007", "Sublingual route", verified=False),
    "intramuscular": Code(SNOMED, "78421000", "Intramuscular route", verified=False),
    "intravenous": Code(SNOMED, "47625008", "Intravenous route", verified=False),
    "intranasal": Code(SNOMED, "46713006", "Nasal route", verified=False),
}


def medicine_code(drug: str) -> Code:
    """RxNorm ingredient of a protocol's ``drug`` ("esketamine", "ketamine (racemic)")."""
    return ESKETAMINE if drug.startswith("esketamine") else KETAMINE


# --- encounters, identifiers, consents, adverse events, flags ---------------------------------------

AMBULATORY = Code(ACT_CODE, "AMB", "ambulatory")
MEDICAL_RECORD_NUMBER = Code(IDENTIFIER_TYPE, "MR", "Medical record number")
MEDICINE_SESSION = Code(ENCOUNTER_TYPE, "medicine_session", "Medicine session (dosing visit)")

CONSENT_SCOPES = {
    "treatment": Code(CONSENT_SCOPE, "treatment", "Treatment"),
    "research": Code(CONSENT_SCOPE, "research", "Research"),
}

SERIOUS = Code(AE_SERIOUSNESS, "serious", "Serious", verified=False)
NON_SERIOUS = Code(AE_SERIOUSNESS, "non-serious", "Non-serious", verified=False)
SEVERITIES = {
    "mild": Code(AE_SEVERITY, "mild", "Mild", verified=False),
    "moderate": Code(AE_SEVERITY, "moderate", "Moderate", verified=False),
    "severe": Code(AE_SEVERITY, "severe", "Severe", verified=False),
}
OUTCOMES = {
    "resolved": Code(AE_OUTCOME, "resolved", "Resolved"),
    "resolving": Code(AE_OUTCOME, "recovering", "Recovering"),
    "ongoing": Code(AE_OUTCOME, "ongoing", "Ongoing"),
    "sequelae": Code(AE_OUTCOME, "resolvedWithSequelae", "Resolved with Sequelae"),
    "unknown": Code(AE_OUTCOME, "unknown", "Unknown"),
}
SAFETY_FLAG = Code(FLAG_CATEGORY, "safety", "Safety", verified=False)

# Every standard code above, for the table in docs/fhir.md (a test checks the table lists each).
STANDARD_CODES: tuple[Code, ...] = (
    BP_PANEL,
    SYSTOLIC,
    DIASTOLIC,
    HEART_RATE,
    SPO2,
    RESPIRATORY_RATE,
    VITAL_SIGNS,
    SURVEY,
    MM_HG,
    PER_MINUTE,
    PERCENT,
    MG,
    SCORE,
    *LOINC_TOTALS.values(),
    KETAMINE,
    ESKETAMINE,
    *ROUTES.values(),
    AMBULATORY,
    MEDICAL_RECORD_NUMBER,
    *CONSENT_SCOPES.values(),
    SERIOUS,
    NON_SERIOUS,
    *SEVERITIES.values(),
    *OUTCOMES.values(),
    SAFETY_FLAG,
)
