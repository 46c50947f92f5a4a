"""The prescribing defaults cite sources that exist in the evidence library, and flag what is unconfirmed."""

import tomllib

from kapstone.clinical.eligibility.evidence import load_evidence
from kapstone.prescribing.rules import RULES_FILE, rules


def test_every_source_is_in_the_evidence_library():
    library = load_evidence()
    assert rules().sources
    for source in rules().sources:
        assert source in library, source


def test_the_defaults_a_practice_starts_with():
    assert (rules().expiry_warning_days, rules().pdmp_interval_days, rules().pdmp_hard_stop) == (60, 90, True)


def test_the_pdmp_interval_is_marked_unconfirmed_and_its_source_unverified():
    data = tomllib.loads(RULES_FILE.read_text())
    assert data["pdmp"]["interval_unconfirmed"] is True
    assert load_evidence()["state-pdmp-mandates"].access == "unverified"
