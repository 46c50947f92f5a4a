"""Reliable change, response and remission between a baseline and a latest total of one instrument.

Formulas (Jacobson & Truax 1991, as summarised in ``clinical.md`` section 4.3, source [S35])::

    SE      = SD * sqrt(1 - r)                          standard error of measurement
    SEdiff  = sqrt(2 * SE**2) = SD * sqrt(2) * sqrt(1 - r)  standard error of the difference
    RCI     = (latest - baseline) / SEdiff
    reliable  when |RCI| > 1.96 (95 %); the smallest reliable change is 1.96 * SEdiff points

``SD`` is the instrument's stored reference SD and ``r`` its stored reliability (the data file says
whether that is internal consistency or test-retest, with sources). The sign of the RCI is the raw
direction of change; the instrument's ``direction`` says whether that is improvement. Instruments
without stored constants get no RCI and no category (``None``), never a guess.

* **category**: ``recovered`` = reliable improvement *and* moving from the clinical range (the
  instrument's ``clinical_range`` cut-off, e.g. PHQ-9 caseness >= 10) to outside it; ``improved`` =
  any other reliable improvement; ``deteriorated`` = reliable worsening; ``unchanged`` = not reliable.
  Without a cut-off on file nobody is "recovered", only "improved".
* **percent change** = (latest - baseline) / baseline * 100; ``None`` when the baseline is 0.
* **response** = the total fell by at least the stored fraction (0.5 for PHQ-9, GAD-7, QIDS-SR16):
  (baseline - latest) / baseline >= 0.5, compared exactly; ``None`` without a rule or a zero baseline.
* **remission** = latest at or below the stored threshold (PHQ-9 <= 4, QIDS-SR16 <= 5); ``None``
  without one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from kapstone.clinical.instruments import Instrument, Number, get_instrument
from kapstone.clinical.scoring import ScoreResult

# Two-sided 95 % criterion of the Jacobson-Truax method: a statistical convention, not clinical data.
Z_95 = 1.96

MINUS, ARROW, ALPHA = "\u2212", "\u2192", "\u03b1"

CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated")


@dataclass(frozen=True)
class ReliableChange:
    instrument_id: str
    instrument_version: str
    baseline: Number
    latest: Number
    change: Number
    percent_change: float | None
    direction: str
    se_diff: float | None
    rci: float | None
    min_reliable_change: float | None
    reliable: bool | None
    clinical_cutoff: Number | None
    crossed_cutoff: bool | None
    category: str | None
    response: bool | None
    remission: bool | None
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def reliable_change(
    instrument_id: str | Instrument,
    baseline: Number | ScoreResult,
    latest: Number | ScoreResult,
) -> ReliableChange:
    """Compare two totals of one instrument (numbers, or ``ScoreResult`` objects from ``score``).

    Raises ``ValueError`` for an instrument without a total (C-SSRS screener), a total outside the
    instrument's range, or a ``ScoreResult`` of another instrument.
    """
    instrument = instrument_id if isinstance(instrument_id, Instrument) else get_instrument(instrument_id)
    if instrument.total_range is None:
        raise ValueError(f"{instrument.short_name} has no total, so change cannot be computed")
    before = _total(instrument, baseline, "baseline")
    after = _total(instrument, latest, "latest")
    change = after - before
    percent = None if before == 0 else change / before * 100
    worse_up = instrument.direction == "higher_is_worse"

    se_diff = rci = threshold = None
    reliable = None
    if instrument.reliability is not None:
        r = instrument.reliability
        se_diff = r.reference_sd * math.sqrt(2) * math.sqrt(1 - r.coefficient)
        rci = change / se_diff
        threshold = Z_95 * se_diff
        reliable = abs(rci) > Z_95

    cutoff = crossed = None
    if instrument.clinical_range is not None:
        cutoff = instrument.clinical_range.min if worse_up else instrument.clinical_range.max
        crossed = _in_clinical_range(instrument, before) and not _in_clinical_range(instrument, after)

    category = None
    if reliable is not None:
        improved = change < 0 if worse_up else change > 0
        if not reliable:
            category = "unchanged"
        elif not improved:
            category = "deteriorated"
        else:
            category = "recovered" if crossed else "improved"

    response = None
    if instrument.response is not None and before != 0:
        drop = (_exact(before) - _exact(after)) / _exact(before)
        response = drop >= _exact(instrument.response.reduction)

    remission = None
    if instrument.remission is not None:
        remission = after <= instrument.remission.max if worse_up else after >= instrument.remission.min

    result = ReliableChange(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        baseline=before,
        latest=after,
        change=change,
        percent_change=percent,
        direction=instrument.direction,
        se_diff=se_diff,
        rci=rci,
        min_reliable_change=threshold,
        reliable=reliable,
        clinical_cutoff=cutoff,
        crossed_cutoff=crossed,
        category=category,
        response=response,
        remission=remission,
        explanation="",
    )
    return _with_explanation(instrument, result)


def _total(instrument: Instrument, value: Number | ScoreResult, name: str) -> Number:
    if isinstance(value, ScoreResult):
        if value.instrument_id != instrument.id:
            raise ValueError(f"{name} is a {value.instrument_id} result, not {instrument.id}")
        value = value.total
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{instrument.short_name}: {name} must be a number, got {value!r}")
    lo, hi = instrument.total_range
    if not lo <= value <= hi:
        raise ValueError(f"{instrument.short_name}: {name} {value} is outside the total range {lo} to {hi}")
    return value


def _in_clinical_range(instrument: Instrument, total: Number) -> bool:
    rng = instrument.clinical_range
    return total >= rng.min if rng.min is not None else total <= rng.max


def _exact(value: Number) -> Fraction:
    # Decimal text of a float, so that 0.5 and totals compare without binary rounding surprises.
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def _fmt(value: Number, places: int = 1) -> str:
    if isinstance(value, int):
        return str(value)
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _signed(value: Number, places: int = 1) -> str:
    text = _fmt(value, places)
    return text.replace("-", MINUS) if text.startswith("-") else ("+" + text if value > 0 else text)


def _with_explanation(instrument: Instrument, res: ReliableChange) -> ReliableChange:
    head = f"{instrument.short_name} {_fmt(res.baseline)} {ARROW} {_fmt(res.latest)}: "
    head += f"{_signed(res.change)} points"
    if res.percent_change is not None:
        head += f" ({_signed(res.percent_change, 0)} %)"
    parts = [head]
    if res.rci is None:
        parts.append("no reliability constants on file, so no reliable-change verdict")
    else:
        r = instrument.reliability
        symbol = ALPHA if r.kind == "internal_consistency" else "r"
        verdict = "reliable change" if res.reliable else "not a reliable change"
        basis = f"more than {_fmt(res.min_reliable_change)} points needed, from {symbol} {r.coefficient}"
        verdict += f" (RCI {_signed(res.rci, 2)}; {basis} and SD {_fmt(r.reference_sd)})"
        if res.category == "recovered":
            side = "≥" if instrument.direction == "higher_is_worse" else "≤"
            verdict += f": recovered, left the clinical range ({side} {_fmt(res.clinical_cutoff)})"
        elif res.reliable:
            verdict += f": {res.category}"
        parts.append(verdict)
    if res.response is not None:
        need = _fmt(instrument.response.reduction * 100, 0)
        parts.append(f"response {'yes' if res.response else 'no'} (needs a {need} % drop)")
    if res.remission is not None:
        rem = instrument.remission
        need = f"≤ {_fmt(rem.max)}" if rem.max is not None else f"≥ {_fmt(rem.min)}"
        parts.append(f"remission {'yes' if res.remission else 'no'} (needs {need})")
    return replace(res, explanation="; ".join(parts) + ".")
