"""C-SSRS screener: skip logic, triage and critical items."""

import pytest

from kapstone.clinical import get_instrument, score
from kapstone.clinical.instruments import required_items, visible_items
from kapstone.clinical.scoring import missing_items

YES, NO = 1, 0


@pytest.mark.parametrize(
    ("answers", "band", "severity"),
    [
        ({1: NO, 2: NO, 6: NO}, "No risk indicated", "none"),
        ({1: YES, 2: NO, 6: NO}, "Low risk", "mild"),
        ({1: NO, 2: YES, 3: NO, 4: NO, 5: NO, 6: NO}, "Low risk", "mild"),
        ({1: YES, 2: YES, 3: YES, 4: NO, 5: NO, 6: NO}, "Moderate risk", "moderate"),
        ({1: NO, 2: NO, 6: YES, 7: NO}, "Moderate risk", "moderate"),
        ({1: NO, 2: NO, 6: YES, 7: YES}, "High risk", "severe"),
        ({1: YES, 2: YES, 3: NO, 4: YES, 5: NO, 6: NO}, "High risk", "severe"),
        ({1: YES, 2: YES, 3: YES, 4: NO, 5: YES, 6: NO}, "High risk", "severe"),
    ],
)
def test_triage(answers, band, severity):
    result = score("cssrs_screener", answers)
    assert (result.band, result.severity) == (band, severity)
    assert result.total is None
    assert result.positive_screen is None


@pytest.mark.parametrize(
    ("answers", "critical"),
    [
        ({1: YES, 2: YES, 3: YES, 4: NO, 5: NO, 6: YES, 7: NO}, ()),
        ({1: YES, 2: YES, 3: NO, 4: YES, 5: NO, 6: NO}, (4,)),
        ({1: YES, 2: YES, 3: NO, 4: NO, 5: YES, 6: NO}, (5,)),
        ({1: NO, 2: NO, 6: YES, 7: YES}, (7,)),
        ({1: YES, 2: YES, 3: YES, 4: YES, 5: YES, 6: YES, 7: YES}, (4, 5, 7)),
    ],
)
def test_critical_items_are_intent_plan_and_recent_behaviour(answers, critical):
    assert tuple(c.item for c in score("cssrs_screener", answers).critical_items) == critical


def test_explanation_names_the_answers_that_set_the_triage():
    result = score("cssrs_screener", {1: NO, 2: NO, 6: YES, 7: YES})
    assert "item 7 = Yes" in result.explanation
    assert "High risk" in result.explanation


def test_questions_3_to_5_only_when_question_2_is_yes():
    instrument = get_instrument("cssrs_screener")
    assert [i.number for i in visible_items(instrument, {1: YES, 2: NO})] == [1, 2, 6]
    assert [i.number for i in visible_items(instrument, {1: YES, 2: YES})] == [1, 2, 3, 4, 5, 6]
    assert required_items(instrument, {}) == (1, 2, 6)


def test_three_month_follow_up_only_when_question_6_is_yes():
    instrument = get_instrument("cssrs_screener")
    assert 7 not in [i.number for i in visible_items(instrument, {1: NO, 2: NO, 6: NO})]
    assert 7 in [i.number for i in visible_items(instrument, {1: NO, 2: NO, 6: YES})]


def test_an_answer_to_a_skipped_question_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"item 3: was skipped \(shown only when item 2 = Yes\)"):
        score("cssrs_screener", {1: YES, 2: NO, 3: YES, 6: NO})
    with pytest.raises(ValueError, match="item 7: was skipped"):
        score("cssrs_screener", {1: NO, 2: NO, 6: NO, 7: YES})


def test_questions_3_to_5_are_required_once_question_2_is_yes():
    with pytest.raises(ValueError, match="missing answers: item 3, item 4, item 5"):
        score("cssrs_screener", {1: YES, 2: YES, 6: NO})
    with pytest.raises(ValueError, match="missing answers: item 7"):
        score("cssrs_screener", {1: NO, 2: NO, 6: YES})


def test_missing_items_for_a_draft_follows_the_skip_logic():
    assert missing_items("cssrs_screener", {}) == (1, 2, 6)
    assert missing_items("cssrs_screener", {1: YES, 2: YES}) == (3, 4, 5, 6)
    assert missing_items("cssrs_screener", {1: YES, 2: NO, 6: YES}) == (7,)
    # A draft may still hold an answer the current answers hide (Q2 changed to no): not an error here.
    assert missing_items("cssrs_screener", {1: YES, 2: NO, 3: YES}) == (6,)
