"""Bad answers are refused with a ValueError that names the item (and the instrument)."""

import pytest

from kapstone.clinical import score
from kapstone.clinical.scoring import missing_items

COMPLETE = dict.fromkeys(range(1, 10), 0)


def test_missing_answers_are_listed_by_item():
    with pytest.raises(ValueError, match=r"^PHQ-9: missing answers: item 4, item 9$"):
        score("phq9", {n: 0 for n in COMPLETE if n not in (4, 9)})


def test_unknown_item_is_named_with_the_valid_range():
    with pytest.raises(ValueError, match=r"^PHQ-9: item 10: unknown item; PHQ-9 has items 1\u20139$"):
        score("phq9", {**COMPLETE, 10: 0})


@pytest.mark.parametrize("item", [0, -1])
def test_item_numbers_start_at_one(item):
    with pytest.raises(ValueError, match=f"item {item}: unknown item"):
        score("phq9", {**COMPLETE, item: 0})


@pytest.mark.parametrize("bad", [4, -1, 1.0, "2", None, True])
def test_out_of_range_or_wrong_type_value_names_item_and_allowed_values(bad):
    with pytest.raises(ValueError, match=r"item 3: .* is not a valid answer; allowed: 0 \(Not at all\)"):
        score("phq9", {**COMPLETE, 3: bad})


def test_string_item_numbers_get_a_hint():
    with pytest.raises(
        ValueError, match=r"item '3': item numbers must be int \(convert JSON keys with int\(\)\)"
    ):
        score("phq9", {**{k: v for k, v in COMPLETE.items() if k != 3}, "3": 0})


def test_answers_must_be_a_mapping():
    with pytest.raises(ValueError, match="answers must be a mapping"):
        score("phq9", [0] * 9)


def test_unknown_instrument():
    with pytest.raises(ValueError, match="unknown instrument 'phq8'; known: aldrete, audit"):
        score("phq8", COMPLETE)


def test_missing_items_validates_what_is_there():
    assert missing_items("phq9", {1: 0, 2: 3}) == (3, 4, 5, 6, 7, 8, 9)
    assert missing_items("phq9", COMPLETE) == ()
    with pytest.raises(ValueError, match="item 2: 7 is not a valid answer"):
        missing_items("phq9", {1: 0, 2: 7})
