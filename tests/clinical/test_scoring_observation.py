"""Observation scales: MOAA/S, RASS (negative values) and the modified Aldrete score."""

import pytest

from kapstone.clinical import score


@pytest.mark.parametrize(
    ("level", "band"),
    [
        (5, "Responds readily"),
        (4, "Lethargic response to voice"),
        (3, "Responds only to loud or repeated name"),
        (2, "Responds only to prodding or shaking"),
        (1, "Responds only to pain"),
        (0, "No response to pain"),
    ],
)
def test_moaas_each_level(level, band):
    result = score("moaas", {1: level})
    assert (result.total, result.band) == (level, band)


@pytest.mark.parametrize(
    ("level", "band", "severity"),
    [
        (4, "Combative", "severe"),
        (1, "Restless", "mild"),
        (0, "Alert and calm", "none"),
        (-1, "Drowsy", "mild"),
        (-3, "Moderate sedation", "moderate"),
        (-5, "Unarousable", "severe"),
    ],
)
def test_rass_agitation_and_sedation(level, band, severity):
    result = score("rass", {1: level})
    assert (result.total, result.band, result.severity) == (level, band, severity)


@pytest.mark.parametrize("bad", [5, -6])
def test_rass_out_of_range(bad):
    with pytest.raises(ValueError, match=f"item 1: {bad} is not a valid answer"):
        score("rass", {1: bad})


@pytest.mark.parametrize(
    ("values", "total", "meets"),
    [
        ((2, 2, 2, 2, 2), 10, True),
        ((2, 2, 1, 2, 2), 9, True),  # BP 20-50 mmHg off baseline, all else full marks
        ((2, 2, 1, 1, 2), 8, False),
        ((0, 0, 0, 0, 0), 0, False),
    ],
)
def test_aldrete_total_and_common_discharge_score(values, total, meets):
    result = score("aldrete", dict(enumerate(values, start=1)))
    assert result.total == total
    assert result.indicators == {"discharge_score_met": meets}
