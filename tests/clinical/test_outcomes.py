"""Reliable change (Jacobson-Truax), response, remission and category; numbers worked by hand.

PHQ-9 (alpha 0.89, SD 6.1): SEdiff = 6.1 x sqrt(2) x sqrt(0.11) = 6.1 x 1.41421 x 0.33166 = 2.86115;
    smallest reliable change 1.96 x 2.86115 = 5.608 points, so 6 points are reliable and 5 are not.
GAD-7 (alpha 0.92, SD 5): SEdiff = 5 x sqrt(2 x 0.08) = 5 x 0.4 = 2.0; smallest change 3.92 points.
PCL-5 (alpha 0.94, SD 12.4): SEdiff = 12.4 x sqrt(0.12) = 12.4 x 0.34641 = 4.29549; smallest 8.419.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapstone.clinical import get_instrument, reliable_change, score
from kapstone.clinical.outcomes import (
    EpisodeScores,
    Score,
    baseline_and_latest,
    episode_baseline,
    outcome_config,
    outcome_instruments,
    outcome_rates,
    remission_at_12_months,
    verdicts,
)


@pytest.mark.parametrize(
    ("instrument_id", "baseline", "latest", "rci", "category"),
    [
        ("phq9", 18, 12, -2.0971, "improved"),  # -6 / 2.86115; 12 is still >= 10 (clinical range)
        ("phq9", 18, 13, -1.7476, "unchanged"),  # -5 / 2.86115
        ("phq9", 18, 9, -3.1456, "recovered"),  # -9 / 2.86115; 9 left the clinical range
        ("phq9", 18, 10, -2.7961, "improved"),  # 10 is still in the clinical range
        ("phq9", 12, 18, 2.0971, "deteriorated"),
        ("phq9", 8, 2, -2.0971, "improved"),  # began below the cut-off, so not "recovered"
        ("gad7", 10, 6, -2.0, "recovered"),  # -4 / 2.0; 6 < 8
        ("gad7", 10, 7, -1.5, "unchanged"),  # -3 / 2.0
        ("gad7", 14, 10, -2.0, "improved"),  # 10 is still >= 8
        ("pcl5", 50, 41, -2.0952, "improved"),  # -9 / 4.29549; 41 >= 33
        ("pcl5", 50, 42, -1.8624, "unchanged"),  # -8 / 4.29549
        ("pcl5", 40, 30, -2.3280, "recovered"),  # -10 / 4.29549; 30 < 33
        ("pcl5", 30, 40, 2.3280, "deteriorated"),
    ],
)
def test_rci_and_category(instrument_id, baseline, latest, rci, category):
    result = reliable_change(instrument_id, baseline, latest)
    assert result.rci == pytest.approx(rci, abs=1e-4)
    assert result.category == category
    assert result.reliable is (category != "unchanged")


def test_the_smallest_reliable_change_is_reported():
    assert reliable_change("phq9", 20, 20).min_reliable_change == pytest.approx(5.608, abs=1e-3)
    assert reliable_change("gad7", 20, 20).min_reliable_change == pytest.approx(3.92, abs=1e-9)
    assert reliable_change("pcl5", 20, 20).se_diff == pytest.approx(4.29549, abs=1e-5)


@pytest.mark.parametrize(
    ("baseline", "latest", "percent", "response", "remission"),
    [
        (18, 9, -50.0, True, False),  # exactly half: a response; 9 > 4
        (10, 5, -50.0, True, False),
        (10, 6, -40.0, False, False),
        (9, 5, -44.4444, False, False),
        (8, 4, -50.0, True, True),  # 4 is below 5
        (8, 2, -75.0, True, True),
        (12, 18, 50.0, False, False),
    ],
)
def test_phq9_response_and_remission(baseline, latest, percent, response, remission):
    result = reliable_change("phq9", baseline, latest)
    assert result.percent_change == pytest.approx(percent, abs=1e-4)
    assert (result.response, result.remission) == (response, remission)


def test_a_zero_baseline_has_no_percent_change_or_response():
    result = reliable_change("phq9", 0, 3)
    assert (result.percent_change, result.response) == (None, None)
    assert result.remission is True


def test_qids_has_no_reliability_constants_so_no_verdict_but_response_and_remission():
    result = reliable_change("qids_sr16", 14, 5)  # -9 points, 64 % drop; 5 <= 5
    assert (result.rci, result.reliable, result.category) == (None, None, None)
    assert (result.response, result.remission) == (True, True)
    assert reliable_change("qids_sr16", 14, 6).remission is False
    assert "no reliability constants on file" in result.explanation


def test_instruments_without_response_rule_say_none():
    result = reliable_change("pcl5", 50, 20)
    assert (result.response, result.remission) == (None, None)


def test_score_results_are_accepted():
    before = score("gad7", dict.fromkeys(range(1, 8), 2))  # 14
    after = score("gad7", dict.fromkeys(range(1, 8), 1))  # 7
    result = reliable_change("gad7", before, after)
    assert (result.baseline, result.latest, result.change) == (14, 7, -7)
    assert result.category == "recovered"


def test_explanation_is_one_readable_line():
    text = reliable_change("phq9", 18, 9).explanation
    assert "\n" not in text
    assert text.startswith("PHQ-9 18 \u2192 9: \u22129 points (\u221250 %); reliable change (RCI \u22123.15")
    assert "recovered, left the clinical range (\u2265 10)" in text
    assert "response yes" in text and "remission no (needs \u2264 4)" in text


def test_to_dict_is_json_ready():
    data = reliable_change("phq9", 18, 9).to_dict()
    assert json.loads(json.dumps(data))["category"] == "recovered"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cssrs_screener", 1, 0), "C-SSRS screener has no total"),
        (("phq9", 28, 10), "PHQ-9: baseline 28 is outside the total range 0 to 27"),
        (("phq9", 10, -1), "PHQ-9: latest -1 is outside the total range"),
        (("phq9", True, 10), "PHQ-9: baseline must be a number"),
        (("phq9", 10, float("nan")), "PHQ-9: latest must be a number"),
        (("phq8", 10, 5), "unknown instrument 'phq8'"),
    ],
)
def test_invalid_input(args, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        reliable_change(*args)


def test_a_result_of_another_instrument_is_refused():
    gad = score("gad7", dict.fromkeys(range(1, 8), 1))
    with pytest.raises(ValueError, match="baseline is a gad7 result, not phq9"):
        reliable_change("phq9", gad, 5)


totals = st.integers(0, 27)


@given(totals, totals)
def test_phq9_changes_of_5_or_less_are_never_reliable_and_6_or_more_always_are(a, b):
    result = reliable_change("phq9", a, b)
    assert result.reliable is (abs(b - a) >= 6)
    assert (result.category == "unchanged") is (abs(b - a) <= 5)


@given(totals, totals)
def test_swapping_baseline_and_latest_flips_the_rci(a, b):
    forward, backward = reliable_change("phq9", a, b), reliable_change("phq9", b, a)
    assert forward.rci == pytest.approx(-backward.rci)
    if forward.category == "deteriorated":
        assert backward.category in ("improved", "recovered")


# --- which two scores make an outcome (the episode's own baseline) ------------------------------------

T0 = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def s(n: float, total, key: str = "") -> Score:
    return Score(day(n), key or f"{n:08.2f}", total)


def test_the_baseline_is_the_last_score_before_the_first_dose():
    scores = [s(0, 18), s(9, 16), s(20, 7), s(5, 17)]
    assert episode_baseline(scores, first_dose_at=day(10)) == s(9, 16)
    assert baseline_and_latest(scores, day(10)) == (s(9, 16), s(20, 7))


def test_without_a_score_before_a_dose_or_without_a_dose_the_first_score_is_the_baseline():
    scores = [s(12, 15), s(30, 6)]
    assert episode_baseline(scores, first_dose_at=day(10)) == s(12, 15)
    assert episode_baseline(scores, first_dose_at=None) == s(12, 15)


def test_a_score_at_the_dose_time_is_after_the_dose():
    assert episode_baseline([s(0, 20), s(10, 12)], first_dose_at=day(10)) == s(0, 20)


def test_there_is_no_outcome_without_a_later_score():
    assert baseline_and_latest([s(3, 14)], None) is None
    # Every score before the dose: the baseline is the newest, so there is nothing later yet.
    assert baseline_and_latest([s(1, 14), s(2, 12)], day(5)) is None
    assert baseline_and_latest([], None) is None


def test_equal_times_are_ordered_by_key():
    first, second = Score(day(1), "a", 20), Score(day(1), "b", 8)
    assert baseline_and_latest([second, first], None) == (first, second)


def test_the_outcome_instruments_are_the_symptom_measures_not_screeners():
    assert sorted(i.id for i in outcome_instruments()) == ["gad7", "pcl5", "phq9", "qids_sr16"]


def test_verdicts_follow_reliable_change():
    phq9 = get_instrument("phq9")
    assert verdicts(phq9, 16, 7) == {
        "improved": True,
        "responded": True,
        "remitted": False,
        "deteriorated": False,
    }
    assert verdicts(phq9, 8, 15) == {
        "improved": False,
        "responded": False,
        "remitted": False,
        "deteriorated": True,
    }
    assert verdicts(phq9, 0, 0)["responded"] is False  # a zero baseline cannot halve
    assert verdicts(get_instrument("pcl5"), 50, 20)["remitted"] is None  # no remission rule on file


def test_practice_rates_count_each_client_once_with_the_episode_of_their_newest_score():
    phq9 = get_instrument("phq9")
    episodes = [
        EpisodeScores("ann", "old", None, [s(0, 22), s(30, 2)]),  # an older course's great result
        EpisodeScores("ann", "new", day(101), [s(100, 19), s(130, 17)]),  # the newest: 19 -> 17
        EpisodeScores("bob", "b1", day(2), [s(1, 15), s(3, 10), s(40, 4)]),  # 15 -> 4
    ]
    rates = outcome_rates(phq9, episodes)
    assert rates.n == 2
    assert rates.counts == {"improved": 1, "responded": 1, "remitted": 1, "deteriorated": 0}
    assert rates.rate("improved").percent == 50
    # Up to day 50 ann's newest score is day 30, in the old course.
    assert outcome_rates(phq9, episodes, end=day(50)).counts["remitted"] == 2
    assert outcome_rates(phq9, episodes, start=day(100)).n == 1


def test_twelve_month_remission_uses_365_days_plus_or_minus_60():
    config = outcome_config()
    assert (config.after_days, config.tolerance_days, config.index_min, config.remission_max) == (
        365,
        60,
        10,
        4,
    )
    as_of = day(900)

    def one(*scores, dose=None):
        return remission_at_12_months([EpisodeScores("c", "e", dose, list(scores))], as_of=as_of)

    assert (one(s(0, 15), s(305, 4)).remitted, one(s(0, 15), s(305, 4)).n) == (1, 1)  # first day
    assert one(s(0, 15), s(425, 4)).remitted == 1  # last day
    assert one(s(0, 15), s(304, 4)).remitted == 0 and one(s(0, 15), s(426, 4)).remitted == 0
    assert one(s(0, 15), s(365, 5)).remitted == 0  # 5 is not below 5
    assert one(s(0, 9), s(365, 0)).n == 0  # index not above 9
    assert one(s(0, 10), s(365, 0)).n == 1
    # The index is the baseline: the last score before the first dose.
    assert one(s(0, 8), s(20, 16), s(380, 3), dose=day(30)).remitted == 1
    assert remission_at_12_months([EpisodeScores("c", "e", None, [s(600, 15)])], as_of=as_of).n == 0


@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 27)), min_size=1, max_size=8),
    st.one_of(st.none(), st.integers(0, 60)),
)
def test_the_baseline_is_always_a_score_of_the_episode_and_never_after_a_dose_when_one_came_before(
    raw, dose_day
):
    scores = [s(d, total, key=f"{i:03d}") for i, (d, total) in enumerate(raw)]
    dose = day(dose_day) if dose_day is not None else None
    baseline = episode_baseline(scores, dose)
    assert baseline in scores
    before = [x for x in scores if dose is not None and x.at < dose]
    if before:
        assert baseline.at < dose and all(x <= baseline for x in before)
    else:
        assert baseline == min(scores)
    pair = baseline_and_latest(scores, dose)
    if pair is not None:
        assert pair[0] == baseline and pair[1] == max(scores) and pair[1] > pair[0]
