"""AUDIT zones, DAST-10 reverse scoring, the three-part MDQ rule and PQ-B count and distress."""

import pytest

from kapstone.clinical import score


def answers(*values: int) -> dict[int, int]:
    return dict(enumerate(values, start=1))


@pytest.mark.parametrize(
    ("values", "total", "zone", "positive"),
    [
        ((0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "Zone I: low risk", False),
        ((1, 1, 1, 1, 1, 1, 1, 0, 0, 0), 7, "Zone I: low risk", False),
        ((1, 1, 1, 1, 1, 1, 1, 1, 0, 0), 8, "Zone II: hazardous drinking", True),
        ((4, 4, 4, 3, 0, 0, 0, 0, 0, 0), 15, "Zone II: hazardous drinking", True),
        ((4, 4, 4, 4, 0, 0, 0, 0, 0, 0), 16, "Zone III: harmful drinking", True),
        ((4, 4, 4, 4, 3, 0, 0, 0, 0, 0), 19, "Zone III: harmful drinking", True),
        ((4, 4, 4, 4, 4, 0, 0, 0, 0, 0), 20, "Zone IV: possible dependence", True),
        ((4, 4, 4, 4, 4, 4, 4, 4, 4, 4), 40, "Zone IV: possible dependence", True),
    ],
)
def test_audit_zones(values, total, zone, positive):
    result = score("audit", answers(*values))
    assert (result.total, result.band, result.positive_screen) == (total, zone, positive)


def test_audit_subscales_and_the_0_2_4_items():
    # consumption 4+4+4 = 12; dependence 4+4+0 = 8; harm 0+0+2+4 = 6; total 26.
    result = score("audit", answers(4, 4, 4, 4, 4, 0, 0, 0, 2, 4))
    assert result.subscales == {"consumption": 12, "dependence": 8, "harm": 6}
    assert result.total == 26


@pytest.mark.parametrize("item", [9, 10])
def test_audit_items_9_and_10_refuse_1_and_3(item):
    base = dict.fromkeys(range(1, 11), 0)
    for bad in (1, 3):
        with pytest.raises(ValueError, match=f"item {item}: {bad} is not a valid answer"):
            score("audit", {**base, item: bad})


YES, NO = 1, 0


def dast(yes: set[int]) -> dict[int, int]:
    return {n: YES if n in yes else NO for n in range(1, 11)}


@pytest.mark.parametrize(
    ("yes", "total", "band"),
    [
        ({3}, 0, "No problems reported"),  # only "yes, always able to stop": scores 0
        (set(), 1, "Low level"),  # "no" to item 3 scores 1
        ({1, 3}, 1, "Low level"),
        ({1, 2, 3}, 2, "Low level"),
        ({1, 2}, 3, "Moderate level"),
        ({1, 2, 4, 5}, 5, "Moderate level"),
        ({1, 2, 4, 5, 6}, 6, "Substantial level"),
        ({1, 2, 4, 5, 6, 7, 8}, 8, "Substantial level"),
        ({1, 2, 4, 5, 6, 7, 8, 9}, 9, "Severe level"),
        ({1, 2, 4, 5, 6, 7, 8, 9, 10}, 10, "Severe level"),
    ],
)
def test_dast10_bands_with_item_3_reversed(yes, total, band):
    result = score("dast10", dast(yes))
    assert (result.total, result.band) == (total, band)


def test_dast10_positive_from_3_and_explanation_mentions_reversal():
    assert score("dast10", dast({1, 2, 3})).positive_screen is False  # 2
    result = score("dast10", dast({1, 2}))  # 3
    assert result.positive_screen is True
    assert "item 3 reverse-scored" in result.explanation


def mdq(part1_yes: int, together: int, problem: int) -> dict[int, int]:
    values = {n: YES if n <= part1_yes else NO for n in range(1, 14)}
    return {**values, 14: together, 15: problem}


@pytest.mark.parametrize(
    ("part1", "together", "problem", "positive"),
    [
        (7, YES, 2, True),  # moderate problem
        (13, YES, 3, True),  # serious problem
        (6, YES, 3, False),  # part 1 short by one
        (7, NO, 3, False),  # not at the same time
        (7, YES, 1, False),  # only a minor problem
        (13, YES, 0, False),
    ],
)
def test_mdq_positive_only_when_all_three_parts_agree(part1, together, problem, positive):
    result = score("mdq", mdq(part1, together, problem))
    assert result.positive_screen is positive
    assert result.total == result.subscales["part1"] == part1


def test_mdq_parts_2_and_3_are_required():
    answers = mdq(7, YES, 2)
    del answers[15]
    with pytest.raises(ValueError, match="missing answers: item 15"):
        score("mdq", answers)


def pqb(**distress: int) -> dict[int, int]:
    values = dict.fromkeys(range(1, 22), 0)
    values.update({int(k[1:]): v for k, v in distress.items()})
    return values


@pytest.mark.parametrize(
    ("answers", "count", "distress", "positive"),
    [
        (pqb(), 0, 0, False),
        (pqb(i1=1, i2=1), 2, 2, False),
        (pqb(i1=1, i2=1, i3=1), 3, 3, True),  # three items yes, little distress
        (pqb(i1=2, i2=3), 2, 5, False),
        (pqb(i1=3, i2=3), 2, 6, True),  # two items, distress 6
        (pqb(**{f"i{n}": 5 for n in range(1, 22)}), 21, 105, True),
    ],
)
def test_pqb_count_and_distress(answers, count, distress, positive):
    result = score("pqb", answers)
    assert result.subscales == {"positive_items": count, "distress": distress}
    assert result.total == distress
    assert result.positive_screen is positive


def test_ebi_is_the_mean_of_the_six_ratings_and_keeps_the_sum():
    # (50 + 60 + 70 + 80 + 40 + 33) = 333; 333 / 6 = 55.5
    result = score("ebi", answers(50, 60, 70, 80, 40, 33))
    assert result.total == 55.5
    assert result.subscales == {"sum": 333}
    assert "mean of items 1\u20136 = 333 \u00f7 6 = 55.5" in result.explanation
    assert (result.band, result.positive_screen) == (None, None)


@pytest.mark.parametrize("bad", [-1, 101, 50.5])
def test_ebi_ratings_are_whole_numbers_from_0_to_100(bad):
    with pytest.raises(ValueError, match=f"item 4: {bad} is not a valid answer; allowed: a whole number"):
        score("ebi", answers(0, 0, 0, bad, 0, 0))
