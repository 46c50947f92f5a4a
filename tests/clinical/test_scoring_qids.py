"""QIDS-SR16: nine domain scores, three of them maxima, never a plain sum of the 16 items."""

import pytest

from kapstone.clinical import score

DOMAIN_ITEM = (1, 5, 6, 10, 11, 12, 13, 14, 15)  # the item that carries each domain's value below


def qids(*domains: int) -> dict[int, int]:
    """Answers with domain d's score on its first item, all else 0 (item 7 and 9 left unanswered)."""
    values = {n: 0 for n in range(1, 17) if n not in (7, 9)}
    values.update(zip(DOMAIN_ITEM, domains, strict=True))
    return values


def test_hand_computed_example_is_not_the_plain_sum():
    answers = {1: 1, 2: 3, 3: 0, 4: 2, 5: 2, 6: 1, 8: 3, 10: 1, 11: 0, 12: 0, 13: 2, 14: 1, 15: 0, 16: 2}
    # sleep max(1,3,0,2)=3; sad 2; appetite/weight max(1,3)=3; concentration 1; self 0; SI 0;
    # interest 2; energy 1; psychomotor max(0,2)=2. Total 3+2+3+1+0+0+2+1+2 = 14.
    # The plain sum of the answers would be 18.
    result = score("qids_sr16", answers)
    assert result.total == 14
    assert sum(answers.values()) == 18
    assert result.subscales["sleep"] == 3
    assert result.subscales["appetite_weight"] == 3
    assert result.subscales["psychomotor"] == 2
    assert result.band == "Moderate"
    assert "not of items" in result.explanation


def test_four_bad_sleep_items_count_once():
    one = score("qids_sr16", {**qids(0, 0, 0, 0, 0, 0, 0, 0, 0), 1: 3})
    four = score("qids_sr16", {**qids(0, 0, 0, 0, 0, 0, 0, 0, 0), 1: 3, 2: 3, 3: 3, 4: 3})
    assert one.total == four.total == 3


@pytest.mark.parametrize(
    ("domains", "total", "band"),
    [
        ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "None"),
        ((3, 2, 0, 0, 0, 0, 0, 0, 0), 5, "None"),
        ((3, 3, 0, 0, 0, 0, 0, 0, 0), 6, "Mild"),
        ((3, 3, 3, 1, 0, 0, 0, 0, 0), 10, "Mild"),
        ((3, 3, 3, 2, 0, 0, 0, 0, 0), 11, "Moderate"),
        ((3, 3, 3, 3, 3, 0, 0, 0, 0), 15, "Moderate"),
        ((3, 3, 3, 3, 3, 0, 1, 0, 0), 16, "Severe"),
        ((3, 3, 3, 3, 3, 0, 3, 2, 0), 20, "Severe"),
        ((3, 3, 3, 3, 3, 0, 3, 3, 0), 21, "Very severe"),
        ((3, 3, 3, 3, 3, 3, 3, 3, 3), 27, "Very severe"),
    ],
)
def test_bands(domains, total, band):
    result = score("qids_sr16", qids(*domains))
    assert (result.total, result.band) == (total, band)


def test_one_item_of_each_appetite_and_weight_pair_is_enough():
    answers = qids(0, 0, 2, 0, 0, 0, 0, 0, 0)
    assert 7 not in answers and 9 not in answers
    assert score("qids_sr16", answers).subscales["appetite_weight"] == 2


def test_both_items_of_a_pair_may_be_answered_and_the_higher_counts():
    answers = {**qids(0, 0, 1, 0, 0, 0, 0, 0, 0), 7: 3, 9: 2}
    assert score("qids_sr16", answers).subscales["appetite_weight"] == 3


def test_a_pair_with_neither_item_answered_is_named():
    answers = qids(0, 0, 0, 0, 0, 0, 0, 0, 0)
    del answers[6]
    with pytest.raises(ValueError, match="missing answers: one of items 6 or 7"):
        score("qids_sr16", answers)


def test_item_12_thoughts_of_death_is_critical():
    assert score("qids_sr16", qids(0, 0, 0, 0, 0, 0, 0, 0, 0)).critical_items == ()
    [finding] = score("qids_sr16", qids(0, 0, 0, 0, 0, 1, 0, 0, 0)).critical_items
    assert finding.item == 12
