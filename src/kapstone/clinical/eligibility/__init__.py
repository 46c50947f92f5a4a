"""The eligibility rule engine: versioned rules over intake facts, each finding explained and cited.

Pure Python (no Django). The rules, the facts they may read and the sources they cite are data files
under ``kapstone/clinical/data/``; see docs/eligibility.md.
"""

from ._files import EligibilityDataError
from .engine import (
    ELIGIBLE,
    FIRED,
    NOT_ASSESSED,
    NOT_ELIGIBLE,
    NOT_FIRED,
    RECOMMENDATIONS,
    STATUSES,
    EligibilityAssessment,
    Finding,
    evaluate_eligibility,
    recommend,
)
from .evidence import Evidence, EvidenceLibrary, load_evidence
from .facts import FactCatalogue, FactSpec, FactValue, load_fact_catalogue
from .ruleset import (
    CAUTION,
    DEFAULT_RULESET_ID,
    EXCLUDE,
    REVIEW,
    SEVERITIES,
    Rule,
    RuleSet,
    bundled_ruleset,
    bundled_ruleset_versions,
    load_ruleset,
    parse_ruleset,
)

__all__ = [
    "CAUTION",
    "DEFAULT_RULESET_ID",
    "ELIGIBLE",
    "EXCLUDE",
    "FIRED",
    "NOT_ASSESSED",
    "NOT_ELIGIBLE",
    "NOT_FIRED",
    "RECOMMENDATIONS",
    "REVIEW",
    "SEVERITIES",
    "STATUSES",
    "EligibilityAssessment",
    "EligibilityDataError",
    "Evidence",
    "EvidenceLibrary",
    "FactCatalogue",
    "FactSpec",
    "FactValue",
    "Finding",
    "Rule",
    "RuleSet",
    "bundled_ruleset",
    "bundled_ruleset_versions",
    "evaluate_eligibility",
    "load_evidence",
    "load_fact_catalogue",
    "load_ruleset",
    "parse_ruleset",
    "recommend",
]
