"""Stored assessments and facts in words: what the assessment page and the chart show."""

from dataclasses import dataclass

from kapstone.clinical.eligibility import CAUTION, EXCLUDE, FIRED, NOT_ASSESSED, REVIEW, load_evidence

from .intake_facts import catalogue

SEVERITY_ORDER = {EXCLUDE: 0, REVIEW: 1, CAUTION: 2}
SEVERITY_WORDS = {EXCLUDE: "Exclude", REVIEW: "Review", CAUTION: "Caution"}
SEVERITY_CLASS = {EXCLUDE: "bad", REVIEW: "warn", CAUTION: ""}
STATUS_WORDS = {FIRED: "Fired", NOT_ASSESSED: "Not assessed", "not_fired": "Did not fire"}
RECOMMENDATION_CLASS = {"eligible": "ok", "review": "warn", "not_eligible": "bad"}


def fact_label(key: str) -> str:
    cat = catalogue()
    return cat[key].label if key in cat else key


def fact_value(key: str, value) -> str:
    """A fact's value as a person reads it."""
    if value is None:
        return "Not known"
    cat = catalogue()
    spec = cat.facts.get(key)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        if not value:
            return "None of these"
        return "; ".join(spec.choice_label(item) if spec else str(item) for item in value)
    if isinstance(value, str):
        return spec.choice_label(value) if spec else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    unit = f" {spec.unit}" if spec and spec.unit else ""
    return f"{value}{unit}"


@dataclass
class FactRow:
    key: str
    label: str
    value: str
    source: str


@dataclass
class FindingView:
    rule_id: str
    title: str
    severity: str
    severity_words: str
    severity_class: str
    status: str
    status_words: str
    explanation: str
    condition: str
    facts: list
    missing: list
    citations: list
    unconfirmed: bool
    note: str
    practice_reason: str | None


def finding_view(finding: dict, sources: dict) -> FindingView:
    library = load_evidence()
    return FindingView(
        rule_id=finding["rule_id"],
        title=finding["title"],
        severity=finding["severity"],
        severity_words=SEVERITY_WORDS.get(finding["severity"], finding["severity"]),
        severity_class=SEVERITY_CLASS.get(finding["severity"], ""),
        status=finding["status"],
        status_words=STATUS_WORDS.get(finding["status"], finding["status"]),
        explanation=finding["explanation"],
        condition=finding["condition"],
        facts=[
            FactRow(
                key,
                fact_label(key),
                fact_value(key, value),
                sources.get(key, "" if value is None else "derived"),
            )
            for key, value in finding["facts"].items()
        ],
        missing=[fact_label(key) for key in finding["missing"]],
        citations=[
            {**citation, "in_library": citation["id"] in library} for citation in finding["citations"]
        ],
        unconfirmed=finding.get("unconfirmed", False),
        note=finding.get("note", ""),
        practice_reason=finding.get("practice_reason"),
    )


def assessment_view(assessment) -> dict:
    """Findings grouped for the page: fired (worst first), not assessed, did not fire; and the facts."""
    sources = assessment.fact_sources or {}
    findings = [finding_view(f, sources) for f in assessment.result["findings"]]
    fired = sorted(
        (f for f in findings if f.status == FIRED), key=lambda f: SEVERITY_ORDER.get(f.severity, 9)
    )
    not_assessed = sorted(
        (f for f in findings if f.status == NOT_ASSESSED), key=lambda f: SEVERITY_ORDER.get(f.severity, 9)
    )
    quiet = [f for f in findings if f.status not in (FIRED, NOT_ASSESSED)]
    facts = [
        FactRow(key, fact_label(key), fact_value(key, value), sources.get(key, ""))
        for key, value in assessment.facts.items()
    ]
    return {
        "fired": fired,
        "not_assessed": not_assessed,
        "not_fired": quiet,
        "facts": facts,
        "recommendation_class": RECOMMENDATION_CLASS.get(assessment.recommendation, ""),
        "blocking_not_assessed": [f for f in not_assessed if f.severity in (EXCLUDE, REVIEW)],
    }
