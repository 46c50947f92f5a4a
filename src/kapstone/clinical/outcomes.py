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

Which two scores are compared (``docs/clinical.md``, "Outcomes"): an outcome belongs to one episode
(course of care). Its **baseline** is the last score of that episode before the episode's first dose,
or, when the episode has no score before a dose (or no dose yet), the episode's first (intake) score.
Its **latest** is the episode's newest score; there is an outcome only when that is a later score
than the baseline. Scores of other episodes, and scores with no episode (a screener before the
episode), never count. :func:`baseline_and_latest` is the rule; ``kapstone.measures.outcome_rates``
is its SQL twin and is tested against it. For a practice, each client counts once per instrument:
with the episode of their newest score (:func:`outcome_rates`).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kapstone.clinical.instruments import Instrument, Number, Threshold, all_instruments, get_instrument
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


def standard_error_of_difference(instrument: Instrument) -> float | None:
    """S_diff = s1 x sqrt(2) x sqrt(1 - r_xx) (Jacobson & Truax), from the instrument's reliability and
    reference SD; None without them. The smallest reliable change is 1.96 x S_diff."""
    r = instrument.reliability
    return None if r is None else r.reference_sd * math.sqrt(2) * math.sqrt(1 - r.coefficient)


def min_reliable_change(instrument: Instrument) -> float | None:
    """1.96 x S_diff: the smallest change in points that counts as reliable at 95 %."""
    se_diff = standard_error_of_difference(instrument)
    return None if se_diff is None else Z_95 * se_diff


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

    rci = threshold = None
    reliable = None
    se_diff = standard_error_of_difference(instrument)
    if se_diff is not None:
        rci = change / se_diff
        threshold = Z_95 * se_diff
        reliable = abs(rci) > Z_95

    cutoff = crossed = None
    if instrument.clinical_range is not None:
        cutoff = instrument.clinical_range.min if worse_up else instrument.clinical_range.max
        crossed = _in_clinical_range(instrument.clinical_range, before) and not _in_clinical_range(
            instrument.clinical_range, after
        )

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
        reduction = instrument.response.reduction
        assert reduction is not None  # parse.py reads a response as a reduction only
        drop = (_exact(before) - _exact(after)) / _exact(before)
        response = drop >= _exact(reduction)

    remission = None
    if instrument.remission is not None:
        # parse.py gives a remission max when higher is worse, else a min.
        low, high = instrument.remission.min, instrument.remission.max
        if worse_up:
            assert high is not None
            remission = after <= high
        else:
            assert low is not None
            remission = after >= low

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
    total: object = value
    if isinstance(value, ScoreResult):
        if value.instrument_id != instrument.id:
            raise ValueError(f"{name} is a {value.instrument_id} result, not {instrument.id}")
        total = value.total
    if isinstance(total, bool) or not isinstance(total, int | float) or not math.isfinite(total):
        raise ValueError(f"{instrument.short_name}: {name} must be a number, got {total!r}")
    if instrument.total_range is None:
        raise ValueError(f"{instrument.short_name} has no total, so change cannot be computed")
    lo, hi = instrument.total_range
    if not lo <= total <= hi:
        raise ValueError(f"{instrument.short_name}: {name} {total} is outside the total range {lo} to {hi}")
    return total


def _in_clinical_range(rng: Threshold, total: Number) -> bool:
    if rng.min is not None:
        return total >= rng.min
    assert rng.max is not None  # parse.py reads exactly one of min and max
    return total <= rng.max


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
    r = instrument.reliability
    # rci, se_diff and min_reliable_change are computed together, from the reliability on file.
    if res.rci is None or res.min_reliable_change is None or r is None:
        parts.append("no reliability constants on file, so no reliable-change verdict")
    else:
        symbol = ALPHA if r.kind == "internal_consistency" else "r"
        verdict = "reliable change" if res.reliable else "not a reliable change"
        basis = f"more than {_fmt(res.min_reliable_change)} points needed, from {symbol} {r.coefficient}"
        verdict += f" (RCI {_signed(res.rci, 2)}; {basis} and SD {_fmt(r.reference_sd)})"
        if res.category == "recovered":
            side = "≥" if instrument.direction == "higher_is_worse" else "≤"
            assert res.clinical_cutoff is not None  # "recovered" means the cut-off was crossed
            verdict += f": recovered, left the clinical range ({side} {_fmt(res.clinical_cutoff)})"
        elif res.reliable:
            verdict += f": {res.category}"
        parts.append(verdict)
    if res.response is not None:
        assert instrument.response is not None and instrument.response.reduction is not None
        need = _fmt(instrument.response.reduction * 100, 0)
        parts.append(f"response {'yes' if res.response else 'no'} (needs a {need} % drop)")
    if res.remission is not None:
        rem = instrument.remission
        assert rem is not None  # res.remission is set only from it
        if rem.max is not None:
            need = f"≤ {_fmt(rem.max)}"
        else:
            assert rem.min is not None  # parse.py reads exactly one of min and max
            need = f"≥ {_fmt(rem.min)}"
        parts.append(f"remission {'yes' if res.remission else 'no'} (needs {need})")
    return replace(res, explanation="; ".join(parts) + ".")


# --- which scores make an outcome ------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Score:
    """One submitted total, as plain data. ``key`` breaks ties between equal times (the row's id)."""

    at: datetime
    key: str
    total: Number = field(compare=False)


def episode_baseline(scores: Iterable[Score], first_dose_at: datetime | None) -> Score | None:
    """The episode's baseline: its last score before ``first_dose_at``, else its first score.

    ``scores`` are one instrument's scores of one episode, in any order.
    """
    ordered = sorted(scores)
    if not ordered:
        return None
    before = [s for s in ordered if first_dose_at is not None and s.at < first_dose_at]
    return before[-1] if before else ordered[0]


def baseline_and_latest(
    scores: Iterable[Score], first_dose_at: datetime | None
) -> tuple[Score, Score] | None:
    """The episode's baseline and its newest score, or ``None`` when there is no later score."""
    ordered = sorted(scores)
    baseline = episode_baseline(ordered, first_dose_at)
    if baseline is None or ordered[-1] == baseline:
        return None
    return baseline, ordered[-1]


# --- practice outcome rates ------------------------------------------------------------------------

VERDICTS = ("improved", "responded", "remitted", "deteriorated")
VERDICT_LABELS = {
    "improved": "Reliable improvement",
    "responded": "Response",
    "remitted": "Remission",
    "deteriorated": "Reliable deterioration",
}


@dataclass(frozen=True)
class OutcomeConfig:
    """The practice-report settings of ``data/outcomes.toml``."""

    report_order: tuple[str, ...]
    remission_instrument: str
    index_min: Number
    remission_max: Number
    after_days: int
    tolerance_days: int
    source: str
    unconfirmed: str | None

    @property
    def window(self) -> tuple[timedelta, timedelta]:
        """The 12-month follow-up window, as offsets from the index date (inclusive)."""
        return (
            timedelta(days=self.after_days - self.tolerance_days),
            timedelta(days=self.after_days + self.tolerance_days),
        )


@cache
def outcome_config(path: str | None = None) -> OutcomeConfig:
    file = Path(path) if path else Path(str(resources.files("kapstone.clinical"))) / "data" / "outcomes.toml"
    with file.open("rb") as fh:
        raw = tomllib.load(fh)
    twelve = raw["remission_at_12_months"]
    config = OutcomeConfig(
        report_order=tuple(raw["report"]["order"]),
        remission_instrument=twelve["instrument"],
        index_min=twelve["index_min"],
        remission_max=twelve["remission_max"],
        after_days=twelve["after_days"],
        tolerance_days=twelve["tolerance_days"],
        source=twelve["source"],
        unconfirmed=twelve.get("unconfirmed"),
    )
    if not get_instrument(config.remission_instrument).is_outcome:
        raise ValueError(f"outcomes.toml: {config.remission_instrument} is not an outcome measure")
    return config


def outcome_instruments() -> list[Instrument]:
    """The instruments a practice outcome report covers: those whose data says ``purpose = "outcome"``
    (PHQ-9, GAD-7, PCL-5, QIDS-SR16), never screeners or session questionnaires."""
    order = outcome_config().report_order
    outcomes = [i for i in all_instruments() if i.is_outcome]
    return sorted(outcomes, key=lambda i: (order.index(i.id) if i.id in order else len(order), i.id))


def verdict_constants(instrument: Instrument) -> dict[str, bool]:
    """Which verdicts the instrument's data can decide (reliable change needs ``[reliability]``)."""
    reliable = instrument.reliability is not None
    return {
        "improved": reliable,
        "responded": instrument.response is not None,
        "remitted": instrument.remission is not None,
        "deteriorated": reliable,
    }


def verdicts(instrument: Instrument, baseline: Number, latest: Number) -> dict[str, bool | None]:
    """The four verdicts of one outcome; ``None`` where the instrument has no constant for it."""
    change = reliable_change(instrument, baseline, latest)
    reliable = change.category is not None
    return {
        "improved": change.category in ("improved", "recovered") if reliable else None,
        "responded": None if instrument.response is None else bool(change.response),
        "remitted": change.remission,
        "deteriorated": change.category == "deteriorated" if reliable else None,
    }


@dataclass(frozen=True)
class EpisodeScores:
    """One instrument's scores of one episode, and the episode's first dose (``None`` before it)."""

    client: str
    episode: str
    first_dose_at: datetime | None
    scores: Sequence[Score]


@dataclass(frozen=True)
class Rate:
    count: int | None  # None: the instrument has no constant for this verdict
    n: int

    @property
    def percent(self) -> float | None:
        return None if self.count is None or not self.n else self.count / self.n * 100


@dataclass(frozen=True)
class OutcomeRates:
    instrument: Instrument
    n: int  # clients with a baseline and a later score
    counts: dict[str, int | None]

    def rate(self, verdict: str) -> Rate:
        return Rate(self.counts[verdict], self.n)

    @property
    def rates(self) -> list[tuple[str, str, Rate]]:
        return [(v, VERDICT_LABELS[v], self.rate(v)) for v in VERDICTS]


def client_outcome(
    episodes: Iterable[EpisodeScores], *, start: datetime | None = None, end: datetime | None = None
) -> tuple[Score, Score] | None:
    """One client's outcome on one instrument: the episode of the newest score before ``end``
    (exclusive), its baseline and that newest score; ``None`` if that score is before ``start``."""
    kept = [(e, [s for s in e.scores if end is None or s.at < end]) for e in episodes]
    newest = max(((s, e) for e, scores in kept for s in scores), key=lambda pair: pair[0], default=None)
    if newest is None or (start is not None and newest[0].at < start):
        return None
    episode = newest[1]
    scores = next(scores for e, scores in kept if e is episode)
    return baseline_and_latest(scores, episode.first_dose_at)


def outcome_rates(
    instrument: Instrument,
    episodes: Iterable[EpisodeScores],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> OutcomeRates:
    """The practice's rates for one instrument, one client at a time (the reference the SQL matches)."""
    by_client: dict[str, list[EpisodeScores]] = {}
    for episode in episodes:
        by_client.setdefault(episode.client, []).append(episode)
    n = 0
    # A verdict without a constant on file is None ("none on file"), never 0, even with no outcome.
    counts: dict[str, int | None] = {
        v: 0 if has else None for v, has in verdict_constants(instrument).items()
    }
    for client_episodes in by_client.values():
        pair = client_outcome(client_episodes, start=start, end=end)
        if pair is None:
            continue
        n += 1
        for verdict, value in verdicts(instrument, pair[0].total, pair[1].total).items():
            current = counts[verdict]
            counts[verdict] = None if value is None or current is None else current + value
    return OutcomeRates(instrument, n, counts)


@dataclass(frozen=True)
class TwelveMonthRemission:
    remitted: int
    n: int  # episodes with an index score whose 12-month window has closed

    @property
    def rate(self) -> Rate:
        return Rate(self.remitted, self.n)


def remission_at_12_months(
    episodes: Iterable[EpisodeScores],
    *,
    as_of: datetime,
    start: datetime | None = None,
    config: OutcomeConfig | None = None,
) -> TwelveMonthRemission:
    """MIPS #370 for the PHQ-9 scores of each episode: the index is the episode's baseline; it counts
    when above 9 and its window (index + 365 days +/- 60) closed before ``as_of`` (and, given
    ``start``, on or after it); it remitted when a score in the window is below 5.
    """
    config = config or outcome_config()
    lo, hi = config.window
    n = remitted = 0
    for episode in episodes:
        scores = [s for s in episode.scores if s.at < as_of]
        index = episode_baseline(scores, episode.first_dose_at)
        if index is None or index.total < config.index_min:
            continue
        closes = index.at + hi
        if closes >= as_of or (start is not None and closes < start):
            continue
        n += 1
        remitted += any(index.at + lo <= s.at <= closes and s.total <= config.remission_max for s in scores)
    return TwelveMonthRemission(remitted, n)
