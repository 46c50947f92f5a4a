"""Rule sets: loading, validating and (for practices) overriding the eligibility rules."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any

from ._files import EligibilityDataError, check_keys, data_file, read_toml, table_list, text
from .conditions import Condition, describe, parse_condition, to_data
from .evidence import EvidenceLibrary, load_evidence, parse_evidence
from .facts import FactCatalogue, load_fact_catalogue

EXCLUDE, REVIEW, CAUTION = "exclude", "review", "caution"
SEVERITIES = (EXCLUDE, REVIEW, CAUTION)
DEFAULT_RULESET_ID = "kapstone-default"

_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_FILE = re.compile(r"^ruleset-(\d+(?:\.\d+)*)\.toml$")
_RULE_KEYS = ("id", "title", "severity", "explanation", "when", "citations")
_RULE_OPTIONAL = ("unconfirmed", "note")
_CHANGEABLE = ("title", "severity", "explanation", "when", "citations", "unconfirmed", "note")


@dataclass(frozen=True)
class Rule:
    """One eligibility rule. ``practice_reason`` is set when a practice changed a default rule."""

    id: str
    title: str
    severity: str
    explanation: str
    condition: Condition
    condition_text: str
    citations: tuple[str, ...]
    unconfirmed: bool = False
    note: str = ""
    practice_reason: str | None = None

    def to_data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "explanation": self.explanation,
            "when": to_data(self.condition),
            "citations": list(self.citations),
            "unconfirmed": self.unconfirmed,
            "note": self.note,
            "practice_reason": self.practice_reason,
        }


@dataclass(frozen=True)
class RuleSet:
    """A validated, versioned set of rules, with the catalogue and evidence its rules refer to.

    ``digest`` is a SHA-256 of the rules' content: two rule sets with the same id and version but
    different rules (an edited practice file) can be told apart in stored assessments.
    """

    id: str
    version: str
    title: str
    rules: tuple[Rule, ...]
    catalogue: FactCatalogue
    evidence: EvidenceLibrary
    digest: str
    extends: str | None = None

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def rules_citing(self, evidence_id: str) -> tuple[Rule, ...]:
        """The rules that cite a source (for the evidence library page)."""
        return tuple(rule for rule in self.rules if evidence_id in rule.citations)


def _parse_rule(
    entry: object,
    file: str,
    label: str,
    catalogue: FactCatalogue,
    evidence: EvidenceLibrary,
    reason: str | None = None,
) -> Rule:
    where = f"{file}: {label}"
    table = check_keys(entry, where, required=_RULE_KEYS, optional=_RULE_OPTIONAL)
    rule_id = text(table, "id", where)
    if not _RULE_ID.match(rule_id):
        raise EligibilityDataError(f"{where}: rule id {rule_id!r} must look like 'domain.name' (lower case)")
    where = f"{file}: rule {rule_id!r}" + (" (as overridden)" if reason is not None else "")
    severity = text(table, "severity", where)
    if severity not in SEVERITIES:
        raise EligibilityDataError(f"{where}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    unconfirmed = table.get("unconfirmed", False)
    if not isinstance(unconfirmed, bool):
        raise EligibilityDataError(f"{where}: unconfirmed must be true or false")
    note = text(table, "note", where, default="")
    if unconfirmed and not note:
        raise EligibilityDataError(f"{where}: an unconfirmed rule needs a note saying what is unconfirmed")
    citations = table["citations"]
    if not isinstance(citations, list) or not all(isinstance(c, str) for c in citations):
        raise EligibilityDataError(f"{where}: citations must be a list of evidence ids")
    if not citations and not unconfirmed:
        raise EligibilityDataError(f"{where}: cites no evidence; cite a source or mark it unconfirmed")
    unknown = [c for c in citations if c not in evidence]
    if unknown:
        raise EligibilityDataError(
            f"{where}: cites {', '.join(map(repr, unknown))}, not in the evidence library"
        )
    if len(set(citations)) != len(citations):
        raise EligibilityDataError(f"{where}: cites the same source twice")
    condition = parse_condition(table["when"], catalogue, f"{where}: when")
    return Rule(
        id=rule_id,
        title=text(table, "title", where),
        severity=severity,
        explanation=text(table, "explanation", where),
        condition=condition,
        condition_text=describe(condition, catalogue),
        citations=tuple(citations),
        unconfirmed=unconfirmed,
        note=note,
        practice_reason=reason,
    )


def _digest(ruleset_id: str, version: str, rules: tuple[Rule, ...]) -> str:
    payload = {"id": ruleset_id, "version": version, "rules": [rule.to_data() for rule in rules]}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_ruleset(
    data: Mapping[str, Any],
    where: str = "rule set",
    *,
    catalogue: FactCatalogue | None = None,
    evidence: EvidenceLibrary | None = None,
) -> RuleSet:
    """Validate a rule set given as parsed TOML (a dict); see docs/eligibility.md for the format."""
    catalogue = load_fact_catalogue() if catalogue is None else catalogue
    evidence = load_evidence() if evidence is None else evidence
    check_keys(data, where, required=("ruleset",), optional=("rule", "override", "source"))
    header = check_keys(
        data["ruleset"], f"{where} [ruleset]", required=("id", "version"), optional=("title", "extends")
    )
    ruleset_id = text(header, "id", where)
    version = text(header, "version", where)
    extends = text(header, "extends", where) if "extends" in header else None

    extra = [
        parse_evidence(e, f"{where}: source #{i}") for i, e in enumerate(table_list(data, "source", where), 1)
    ]
    if extra:
        evidence = evidence.with_sources(extra, where)

    base: dict[str, Rule] = {}
    if extends is not None:
        parent = _resolve_extends(extends, where)
        if parent.catalogue is not catalogue and parent.catalogue != catalogue:
            raise EligibilityDataError(f"{where}: extends {extends!r}, which uses a different fact catalogue")
        base = {rule.id: rule for rule in parent.rules}
        unknown = sorted({c for rule in parent.rules for c in rule.citations if c not in evidence})
        if unknown:
            raise EligibilityDataError(
                f"{where}: {extends!r} cites {', '.join(unknown)}, not in the evidence library"
            )
    elif data.get("override"):
        raise EligibilityDataError(f"{where}: [[override]] needs 'extends' in [ruleset]")

    rules = dict(base)
    for index, entry in enumerate(table_list(data, "override", where), start=1):
        _apply_override(rules, entry, where, f"override #{index}", catalogue, evidence)
    for index, entry in enumerate(table_list(data, "rule", where), start=1):
        rule = _parse_rule(entry, where, f"rule #{index}", catalogue, evidence)
        if rule.id in rules or rule.id in base:
            hint = " (change a default rule with [[override]])" if rule.id in base else ""
            raise EligibilityDataError(f"{where}: rule {rule.id!r} is defined twice{hint}")
        rules[rule.id] = rule

    ordered = tuple(rules.values())
    return RuleSet(
        id=ruleset_id,
        version=version,
        title=text(header, "title", where, default=ruleset_id),
        rules=ordered,
        catalogue=catalogue,
        evidence=evidence,
        digest=_digest(ruleset_id, version, ordered),
        extends=extends,
    )


def _apply_override(
    rules: dict[str, Rule],
    entry: object,
    file: str,
    label: str,
    catalogue: FactCatalogue,
    evidence: EvidenceLibrary,
) -> None:
    where = f"{file}: {label}"
    table = check_keys(entry, where, required=("rule", "reason"), optional=("disabled", *_CHANGEABLE))
    rule_id = text(table, "rule", where)
    reason = text(table, "reason", where)
    where = f"{file}: override of {rule_id!r}"
    if rule_id not in rules:
        raise EligibilityDataError(f"{where}: no rule {rule_id!r} to override")
    disabled = table.get("disabled", False)
    if not isinstance(disabled, bool):
        raise EligibilityDataError(f"{where}: disabled must be true or false")
    changes = {key: table[key] for key in _CHANGEABLE if key in table}
    if disabled:
        if changes:
            raise EligibilityDataError(f"{where}: a disabled rule cannot also be changed")
        del rules[rule_id]
        return
    if not changes:
        raise EligibilityDataError(f"{where}: changes nothing (set a field, or disabled = true)")
    merged = {**rules[rule_id].to_data(), **changes}
    merged = {key: merged[key] for key in (*_RULE_KEYS, *_RULE_OPTIONAL) if merged[key] != ""}
    rules[rule_id] = _parse_rule(merged, file, f"override of {rule_id!r}", catalogue, evidence, reason=reason)


def _resolve_extends(reference: str, where: str) -> RuleSet:
    ruleset_id, _, version = reference.partition("@")
    if ruleset_id != DEFAULT_RULESET_ID or not version:
        raise EligibilityDataError(
            f"{where}: extends {reference!r}; only '{DEFAULT_RULESET_ID}@<version>' can be extended "
            f"(bundled versions: {', '.join(bundled_ruleset_versions())})"
        )
    return bundled_ruleset(version)


def _bundled_files() -> dict[str, Traversable]:
    found = {}
    for entry in data_file("eligibility").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found[match.group(1)] = entry
    return found


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def bundled_ruleset_versions() -> tuple[str, ...]:
    """Versions of the default rule set shipped with kapstone, oldest first."""
    return tuple(sorted(_bundled_files(), key=_version_key))


@functools.cache
def bundled_ruleset(version: str | None = None) -> RuleSet:
    """A shipped default rule set; the newest when no version is given."""
    files = _bundled_files()
    if version is None:
        version = bundled_ruleset_versions()[-1]
    if version not in files:
        raise EligibilityDataError(
            f"no bundled rule set version {version!r} (have: {', '.join(bundled_ruleset_versions())})"
        )
    data, where = read_toml(files[version])
    ruleset = parse_ruleset(data, where)
    if ruleset.id != DEFAULT_RULESET_ID or ruleset.version != version:
        raise EligibilityDataError(
            f"{where}: declares {ruleset.id}@{ruleset.version}, expected version {version}"
        )
    return ruleset


RuleSetSource = RuleSet | str | os.PathLike[str] | Mapping[str, Any] | None


def load_ruleset(source: RuleSetSource = None) -> RuleSet:
    """A rule set from a path to a TOML file, a parsed dict, or an already loaded RuleSet.

    ``None`` gives the newest bundled default, ``"kapstone-default@2026.1"`` a given bundled version.
    Errors name the file and the rule.
    """
    if source is None:
        return bundled_ruleset()
    if isinstance(source, RuleSet):
        return source
    if isinstance(source, str) and source.startswith(f"{DEFAULT_RULESET_ID}@"):
        return _resolve_extends(source, "rule set")
    if isinstance(source, Mapping):
        return parse_ruleset(source, "rule set")
    if isinstance(source, str | os.PathLike):
        data, where = read_toml(source)
        return parse_ruleset(data, where)
    raise TypeError(f"ruleset must be a path, a dict or a RuleSet, not {type(source).__name__}")
