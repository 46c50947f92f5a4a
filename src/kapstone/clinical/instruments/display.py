"""Scores as the instrument reports them: a sum as a whole number, a mean to one decimal.

Pure presentation, shared by every page that shows a score to a person (the client's progress page,
the staff trajectory page), so that a score never reads differently in two places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from kapstone.clinical.instruments.model import Instrument, Number

# A mean of item ratings (the EBI's 0-100 scale) is shown to one decimal, as on the staff trajectory
# chart: finer than any single rating needs, coarser would merge visibly different sessions. Sums,
# domain totals and counts are whole numbers by construction. A display convention, not clinical data.
MEAN_DECIMALS = 1


def score_decimals(instrument: Instrument) -> int:
    """How many decimals this instrument's total is reported with."""
    return MEAN_DECIMALS if instrument.scoring.method == "mean" else 0


def format_score(instrument: Instrument, value: Number | None) -> str:
    """``55.6667`` on the EBI reads ``55.7``; ``12.0`` on the PHQ-9 reads ``12``; ``None`` reads a dash.

    Rounds half up, as clinicians round by hand (``62.25`` reads ``62.3``, where float rounding gives
    ``62.2``). A sum that is not whole (a stored total from an older version, say) keeps one decimal
    rather than hiding the fraction.
    """
    if value is None:
        return "\u2014"
    decimals = score_decimals(instrument)
    exact = Decimal(repr(float(value)))
    if decimals == 0 and exact != exact.to_integral_value():
        decimals = MEAN_DECIMALS
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    # "+ 0" turns a negative zero (-0.04 rounded) into 0.
    return f"{rounded + 0:f}"
