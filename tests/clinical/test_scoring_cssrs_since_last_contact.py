"""C-SSRS "since last contact" screener: the published triage (low = yes only to Q1/Q2; moderate = yes to
Q3; high = yes to Q4 or Q5, or any behaviour, which since the last visit is recent), worked by hand, and
the same rules as properties over any answers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapstone.clinical import get_instrument, score
from kapstone.clinical.instruments import required_items, visible_items

YES, NO = 1, 0
ID = "cssrs_since_last_contact"
TRIAGE = {"No risk indicated": "none", "Low risk": "mild", "Moderate risk": "moderate", "High risk": "severe"}


@pytest.mark.parametrize(
    ("answers", "band", "critical"),
    [
        # Q1 no, Q2 no (so Q3-5 are skipped), Q6 no: nothing positive.
        ({1: NO, 2: NO, 6: NO}, "No risk indicated", ()),
        # A wish to be dead only: low.
        ({1: YES, 2: NO, 6: NO}, "Low risk", ()),
        # Active thoughts without method, intent or plan: low.
        ({1: YES, 2: YES, 3: NO, 4: NO, 5: NO, 6: NO}, "Low risk", ()),
        # A method without intent: moderate.
        ({1: YES, 2: YES, 3: YES, 4: NO, 5: NO, 6: NO}, "Moderate risk", ()),
        # Some intent: high, whatever else.
        ({1: NO, 2: YES, 3: NO, 4: YES, 5: NO, 6: NO}, "High risk", (4,)),
        # A plan with intent: high.
        ({1: YES, 2: YES, 3: YES, 4: NO, 5: YES, 6: NO}, "High risk", (5,)),
        # Behaviour since the last visit, no ideation now: high (recent behaviour).
        ({1: NO, 2: NO, 6: YES}, "High risk", (6,)),
        ({1: YES, 2: YES, 3: YES, 4: YES, 5: YES, 6: YES}, "High risk", (4, 5, 6)),
    ],
)
def test_triage_by_hand(answers, band, critical):
    result = score(ID, answers)
    assert (result.band, result.severity) == (band, TRIAGE[band])
    assert tuple(c.item for c in result.critical_items) == critical
    assert result.total is None


def test_it_asks_about_the_time_since_the_last_visit_with_the_screeners_skip_logic():
    instrument = get_instrument(ID)
    assert instrument.recall_period == "since your last visit"
    assert [i.number for i in instrument.items] == [1, 2, 3, 4, 5, 6]  # no "within 3 months?" follow-up
    assert [i.number for i in visible_items(instrument, {1: YES, 2: NO})] == [1, 2, 6]
    assert required_items(instrument, {2: YES}) == (1, 2, 3, 4, 5, 6)
    assert all(band.source for band in instrument.bands)
    assert [b.unconfirmed is not None for b in instrument.bands] == [True, True, True, False]


def test_a_skipped_question_answered_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"item 4: was skipped \(shown only when item 2 = Yes\)"):
        score(ID, {1: YES, 2: NO, 4: YES, 6: NO})


@st.composite
def answers(draw) -> dict[int, int]:
    yes_no = st.sampled_from([YES, NO])
    drawn = {1: draw(yes_no), 2: draw(yes_no)}
    if drawn[2] == YES:
        drawn.update({3: draw(yes_no), 4: draw(yes_no), 5: draw(yes_no)})
    drawn[6] = draw(yes_no)
    return drawn


@given(answers())
def test_any_answers_give_one_valid_triage_following_the_published_rule(drawn):
    result = score(ID, drawn)
    assert result.band in TRIAGE and result.severity == TRIAGE[result.band]
    said_yes = {item for item, value in drawn.items() if value == YES}
    if said_yes & {4, 5, 6}:
        expected = "High risk"
    elif 3 in said_yes:
        expected = "Moderate risk"
    elif said_yes & {1, 2}:
        expected = "Low risk"
    else:
        expected = "No risk indicated"
    assert result.band == expected
    assert {c.item for c in result.critical_items} == said_yes & {4, 5, 6}


@given(answers())
def test_ideation_triages_as_the_intake_screener_does(drawn):
    """Without behaviour, the same answers to questions 1-5 give the same band in both versions."""
    intake = drawn | {6: NO}
    assert score(ID, intake).band == score("cssrs_screener", intake).band
