"""evaluate_eligibility(): from intake facts to a recommendation with explained, cited findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .conditions import evaluate, facts_read
from .evidence import Evidence
from .facts import FactValue
from .ruleset import (
    CAUTION,
    DEFAULT_RULESET_ID,
    EXCLUDE,
    REVIEW,
    SEVERITIES,
    RuleSetSource,
    bundled_ruleset,
    load_ruleset,
)

ELIGIBLE, NOT_ELIGIBLE = "eligible", "not_eligible"
RECOMMENDATIONS = (ELIGIBLE, REVIEW, NOT_ELIGIBLE)  # best first
FIRED, NOT_FIRED, NOT_ASSESSED = "fired", "not_fired", "not_assessed"
STATUSES = (FIRED, NOT_FIRED, NOT_ASSESSED)
SCHEMA = 1  # version of the to_dict() layout

__all__ = [
    "CAUTION",
    "ELIGIBLE",
    "EXCLUDE",
    "FIRED",
    "NOT_ASSESSED",
    "NOT_ELIGIBLE",
    "NOT_FIRED",
    "RECOMMENDATIONS",
    "REVIEW",
    "STATUSES",
    "EligibilityAssessment",
    "Finding",
    "evaluate_eligibility",
]


def _freeze(facts: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in facts.items()})


def _thaw(facts: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in facts.items()}


@dataclass(frozen=True)
class Finding:
    """One rule's result.

    ``facts`` holds every fact the rule looks at (None = not known; a derived fact brings its inputs);
    ``missing`` lists the answers still needed when the rule could not be assessed.
    """

    rule_id: str
    title: str
    severity: str
    status: str
    explanation: str
    condition: str
    facts: Mapping[str, FactValue | None]
    missing: tuple[str, ...]
    citations: tuple[Evidence, ...]
    unconfirmed: bool = False
    note: str = ""
    practice_reason: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", _freeze(self.facts))

    @property
    def fired(self) -> bool:
        return self.status == FIRED

    @property
    def assessed(self) -> bool:
        return self.status != NOT_ASSESSED

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "explanation": self.explanation,
            "condition": self.condition,
            "facts": _thaw(self.facts),
            "missing": list(self.missing),
            "citations": [source.to_dict() for source in self.citations],
            "unconfirmed": self.unconfirmed,
            "note": self.note,
            "practice_reason": self.practice_reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        where = f"finding {data.get('rule_id')!r}"
        if data.get("severity") not in SEVERITIES:
            raise ValueError(
                f"{where}: severity {data.get('severity')!r} is not one of {', '.join(SEVERITIES)}"
            )
        if data.get("status") not in STATUSES:
            raise ValueError(f"{where}: status {data.get('status')!r} is not one of {', '.join(STATUSES)}")
        try:
            return cls(
                rule_id=str(data["rule_id"]),
                title=str(data["title"]),
                severity=data["severity"],
                status=data["status"],
                explanation=str(data["explanation"]),
                condition=str(data["condition"]),
                facts=dict(data["facts"]),
                missing=tuple(data["missing"]),
                citations=tuple(Evidence.from_dict(c, f"{where} citation") for c in data["citations"]),
                unconfirmed=bool(data.get("unconfirmed", False)),
                note=str(data.get("note", "")),
                practice_reason=data.get("practice_reason"),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{where}: malformed stored finding ({exc!r})") from exc


def recommend(findings: tuple[Finding, ...]) -> str:
    """not_eligible if an exclude rule fired; eligible only if every exclude and review rule was
    assessed and none fired; review otherwise. Caution findings never change the recommendation."""
    if any(f.fired and f.severity == EXCLUDE for f in findings):
        return NOT_ELIGIBLE
    if any(f.severity in (EXCLUDE, REVIEW) and f.status != NOT_FIRED for f in findings):
        return REVIEW
    return ELIGIBLE


@dataclass(frozen=True)
class EligibilityAssessment:
    """The rule engine's result, with what is needed to show it and reproduce it later.

    ``facts`` is the snapshot of the validated facts the evaluation received (None-valued facts
    dropped); with the rule set named by ``ruleset_id``, ``ruleset_version`` and ``ruleset_digest`` it
    reproduces every finding.
    """

    recommendation: str
    findings: tuple[Finding, ...]
    ruleset_id: str
    ruleset_version: str
    ruleset_digest: str
    facts: Mapping[str, FactValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", _freeze(self.facts))

    @property
    def fired(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.fired)

    @property
    def not_assessed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.assessed)

    @property
    def missing_facts(self) -> tuple[str, ...]:
        """Answers still needed to assess every rule, in rule order of first mention."""
        return tuple(dict.fromkeys(key for f in self.not_assessed for key in f.missing))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form for storage."""
        return {
            "schema": SCHEMA,
            "recommendation": self.recommendation,
            "ruleset": {
                "id": self.ruleset_id,
                "version": self.ruleset_version,
                "digest": self.ruleset_digest,
            },
            "facts": _thaw(self.facts),
            "findings": [finding.to_dict() for finding in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EligibilityAssessment:
        """Rebuild a stored assessment; refuses one whose recommendation does not follow from its findings."""
        if not isinstance(data, Mapping) or data.get("schema") != SCHEMA:
            raise ValueError(f"not a stored eligibility assessment of schema {SCHEMA}")
        try:
            ruleset = data["ruleset"]
            findings = tuple(Finding.from_dict(f) for f in data["findings"])
            assessment = cls(
                recommendation=data["recommendation"],
                findings=findings,
                ruleset_id=str(ruleset["id"]),
                ruleset_version=str(ruleset["version"]),
                ruleset_digest=str(ruleset["digest"]),
                facts=dict(data["facts"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed stored eligibility assessment ({exc!r})") from exc
        if assessment.recommendation != recommend(findings):
            raise ValueError(
                f"stored recommendation {assessment.recommendation!r} does not follow from its findings "
                f"({recommend(findings)!r})"
            )
        return assessment

    def reproduce(self, ruleset: RuleSetSource = None) -> EligibilityAssessment:
        """Evaluate the stored facts again with the rule set that produced this assessment.

        Without a rule set, the bundled default of the recorded version is used. A rule set whose
        rules differ from the recorded digest is refused rather than silently giving other findings.
        """
        if ruleset is None:
            if self.ruleset_id != DEFAULT_RULESET_ID:
                raise ValueError(f"rule set {self.ruleset_id!r} is a practice's own: pass it to reproduce()")
            resolved = bundled_ruleset(self.ruleset_version)
        else:
            resolved = load_ruleset(ruleset)
        if resolved.digest != self.ruleset_digest:
            raise ValueError(
                f"rule set {resolved.id}@{resolved.version} is not the one that produced this assessment "
                f"(digest {resolved.digest[:12]} != {self.ruleset_digest[:12]})"
            )
        return evaluate_eligibility(dict(self.facts), resolved)


def evaluate_eligibility(facts: Mapping[str, object], ruleset: RuleSetSource = None) -> EligibilityAssessment:
    """Apply a rule set (the newest bundled default unless given) to a client's facts.

    ``facts`` maps fact keys from the catalogue to values; an absent key or None means "not known".
    Raises ValueError naming the fact for an unknown key or a wrongly typed or implausible value.
    """
    rules = load_ruleset(ruleset)
    supplied = rules.catalogue.validate(facts)
    known = rules.catalogue.with_derived(supplied)
    findings = []
    for rule in rules.rules:
        outcome = evaluate(rule.condition, known)
        looked_at: dict[str, FactValue | None] = {}
        for key in facts_read(rule.condition):
            looked_at[key] = known.get(key)
            for name in rules.catalogue[key].inputs:
                looked_at[name] = known.get(name)
        missing: tuple[str, ...] = ()
        if outcome is None:
            missing = tuple(
                key for key, value in looked_at.items() if value is None and not rules.catalogue[key].derived
            )
        findings.append(
            Finding(
                rule_id=rule.id,
                title=rule.title,
                severity=rule.severity,
                status=NOT_ASSESSED if outcome is None else FIRED if outcome else NOT_FIRED,
                explanation=rule.explanation,
                condition=rule.condition_text,
                facts=looked_at,
                missing=missing,
                citations=tuple(rules.evidence[source] for source in rule.citations),
                unconfirmed=rule.unconfirmed,
                note=rule.note,
                practice_reason=rule.practice_reason,
            )
        )
    ordered = tuple(findings)
    return EligibilityAssessment(
        recommendation=recommend(ordered),
        findings=ordered,
        ruleset_id=rules.id,
        ruleset_version=rules.version,
        ruleset_digest=rules.digest,
        facts=supplied,
    )
