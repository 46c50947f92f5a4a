"""PHQ-9 and GAD-7: every band boundary on both sides, the positive screen and PHQ-9 item 9."""

import pytest

from kapstone.clinical import score


def answers(*values: int) -> dict[int, int]:
    return dict(enumerate(values, start=1))


# Each total is hand-added from the item values on its line.
@pytest.mark.parametrize(
    ("values", "total", "band", "severity"),
    [
        ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "Minimal", "none"),
        ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "Minimal", "none"),
        ((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "Mild", "mild"),
        ((3, 3, 3, 0, 0, 0, 0, 0, 0), 9, "Mild", "mild"),
        ((3, 3, 3, 1, 0, 0, 0, 0, 0), 10, "Moderate", "moderate"),
        ((2, 2, 2, 2, 2, 2, 2, 0, 0), 14, "Moderate", "moderate"),
        ((3, 3, 3, 3, 3, 0, 0, 0, 0), 15, "Moderately severe", "moderately_severe"),
        ((3, 3, 3, 3, 3, 3, 1, 0, 0), 19, "Moderately severe", "moderately_severe"),
        ((3, 3, 3, 3, 3, 3, 2, 0, 0), 20, "Severe", "severe"),
        ((3, 3, 3, 3, 3, 3, 3, 3, 0), 24, "Severe", "severe"),
    ],
)
def test_phq9_bands(values, total, band, severity):
    result = score("phq9", answers(*values))
    assert (result.total, result.band, result.severity) == (total, band, severity)


def test_phq9_maximum_is_27_and_severe():
    result = score("phq9", answers(*[3] * 9))
    assert (result.total, result.band) == (27, "Severe")


def test_phq9_positive_screen_starts_at_10():
    assert score("phq9", answers(3, 3, 3, 0, 0, 0, 0, 0, 0)).positive_screen is False  # 9
    assert score("phq9", answers(3, 3, 3, 1, 0, 0, 0, 0, 0)).positive_screen is True  # 10


def test_phq9_item9_zero_is_not_critical():
    assert score("phq9", answers(3, 3, 3, 3, 3, 3, 3, 3, 0)).critical_items == ()


@pytest.mark.parametrize("value", [1, 2, 3])
def test_phq9_item9_above_zero_is_critical_even_with_a_low_total(value):
    result = score("phq9", answers(0, 0, 0, 0, 0, 0, 0, 0, value))
    assert result.band == "Minimal"
    [finding] = result.critical_items
    assert (finding.item, finding.value) == (9, value)
    assert "same-day" in finding.meaning
    assert "Critical: item 9" in result.explanation


def test_phq9_result_records_version_and_explains_itself():
    result = score("phq9", answers(1, 2, 0, 1, 0, 3, 0, 0, 0))
    assert result.instrument_version == "1.0"
    assert result.total == 7
    assert result.explanation.startswith("Total = sum of items 1\u20139 = 7")
    assert result.to_dict()["band"] == "Mild"


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ((0, 0, 0, 0, 0, 0, 0), 0, "Minimal"),
        ((1, 1, 1, 1, 0, 0, 0), 4, "Minimal"),
        ((1, 1, 1, 1, 1, 0, 0), 5, "Mild"),
        ((3, 3, 3, 0, 0, 0, 0), 9, "Mild"),
        ((3, 3, 3, 1, 0, 0, 0), 10, "Moderate"),
        ((2, 2, 2, 2, 2, 2, 2), 14, "Moderate"),
        ((3, 3, 3, 3, 3, 0, 0), 15, "Severe"),
        ((3, 3, 3, 3, 3, 3, 3), 21, "Severe"),
    ],
)
def test_gad7_bands(values, total, band):
    result = score("gad7", answers(*values))
    assert (result.total, result.band) == (total, band)


def test_gad7_positive_screen_starts_at_10_and_has_no_critical_items():
    low = score("gad7", answers(3, 3, 3, 0, 0, 0, 0))
    high = score("gad7", answers(3, 3, 3, 1, 0, 0, 0))
    assert (low.positive_screen, high.positive_screen) == (False, True)
    assert high.critical_items == ()
