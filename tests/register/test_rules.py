"""The register's record-keeping periods: read from rules.toml with sources, hand-checked dates."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kapstone.clinical.eligibility.evidence import load_evidence
from kapstone.register import rules


def test_every_period_cites_a_source_in_the_evidence_library():
    library = load_evidence()
    assert rules.rules().sources and all(source in library for source in rules.rules().sources)
    assert (rules.rules().retention_years, rules.rules().form_106_days) == (2, 45)


def test_written_notice_is_due_the_next_business_day():
    assert rules.notice_due(date(2026, 11, 5)) == date(2026, 11, 6)  # Thursday -> Friday
    assert rules.notice_due(date(2026, 11, 6)) == date(2026, 11, 9)  # Friday -> Monday
    assert rules.notice_due(date(2026, 11, 7)) == date(2026, 11, 9)  # Saturday -> Monday


def test_form_106_is_due_45_days_after_discovery():
    assert rules.form_106_due(date(2026, 11, 6)) == date(2026, 12, 21)


def test_the_biennial_inventory_falls_on_the_same_day_two_years_on():
    assert rules.biennial_due(date(2026, 3, 2)) == date(2028, 3, 2)
    assert rules.biennial_due(date(2028, 2, 29)) == date(2030, 2, 28)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_a_notice_is_always_due_on_a_weekday_within_three_days(discovered):
    due = rules.notice_due(discovered)
    assert due.weekday() < 5 and discovered < due <= discovered + timedelta(days=3)
