"""What an instrument is for (``purpose``) and how its score reads (``format_score``)."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapstone.clinical import get_instrument, score
from kapstone.clinical.instruments import InstrumentDataError, all_instruments, format_score, load_instrument

DATA = Path(__file__).resolve().parents[2] / "src" / "kapstone" / "clinical" / "data" / "instruments"


def with_text(tmp_path: Path, instrument_id: str, old: str, new: str) -> Path:
    text = (DATA / f"{instrument_id}.toml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / f"{instrument_id}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_outcome_measures_are_the_symptom_scales_and_nothing_else():
    outcomes = {i.id for i in all_instruments() if i.is_outcome}
    assert outcomes == {"phq9", "gad7", "pcl5", "qids_sr16"}
    for screener in ("audit", "dast10", "mdq", "pqb", "cssrs_screener"):
        assert get_instrument(screener).purpose == "screening"
    for session_scale in ("ebi", "moaas", "rass", "aldrete"):
        assert get_instrument(session_scale).purpose == "session"


def test_a_file_without_a_purpose_is_never_an_outcome(tmp_path):
    instrument = load_instrument(with_text(tmp_path, "phq9", 'purpose = "outcome"\n', ""))
    assert instrument.purpose is None and not instrument.is_outcome


@pytest.mark.parametrize(
    ("instrument_id", "old", "new", "message"),
    [
        ("phq9", 'purpose = "outcome"', 'purpose = "progress"', "not one of outcome, screening, session"),
        ("ebi", 'purpose = "session"', 'purpose = "outcome"', "needs a direction"),
        ("cssrs_screener", 'purpose = "screening"', 'purpose = "outcome"', "needs a total"),
    ],
)
def test_a_wrong_purpose_is_refused_naming_the_field(tmp_path, instrument_id, old, new, message):
    with pytest.raises(InstrumentDataError, match=message) as caught:
        load_instrument(with_text(tmp_path, instrument_id, old, new))
    assert str(caught.value).startswith(f"{instrument_id}.toml: purpose: ")


def test_scores_read_as_the_instrument_reports_them():
    ebi, phq9 = get_instrument("ebi"), get_instrument("phq9")
    assert format_score(ebi, 55.666666666666664) == "55.7"
    assert format_score(ebi, 62.25) == "62.3"  # half up, as by hand (float rounding gives 62.2)
    assert format_score(ebi, 60) == "60.0"
    assert format_score(phq9, 12.0) == "12"
    assert format_score(phq9, 12) == "12"
    assert format_score(phq9, None) == "\u2014"


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=6, max_size=6))
def test_an_ebi_mean_never_shows_more_than_one_decimal(ratings):
    ebi = get_instrument("ebi")
    total = score(ebi, dict(enumerate(ratings, start=1))).total
    text = format_score(ebi, total)
    _, _, decimals = text.partition(".")
    assert len(decimals) == 1
    assert abs(float(text) - total) <= 0.05 + 1e-9


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=9, max_size=9))
def test_a_phq9_sum_shows_as_a_whole_number(answers):
    phq9 = get_instrument("phq9")
    total = score(phq9, dict(enumerate(answers, start=1))).total
    assert format_score(phq9, total) == str(sum(answers))
