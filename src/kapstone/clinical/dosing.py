"""Dose arithmetic for medicine sessions, in ``Decimal`` throughout.

Formulas (clinical reference §2.4):

- ``mg = mg/kg x weight_kg``; ``mg/kg = mg / weight_kg``
- ``volume_mL = mg / concentration_mg_per_mL`` (e.g. 35 mg of 100 mg/mL = 0.35 mL)
- ``rate_mL_per_h = total_volume_mL / (infusion_minutes / 60)``;
  ``rate_mg_per_kg_per_h = (mg / weight_kg) / (infusion_minutes / 60)``

Rounding: each *result* is rounded once, half up, to what can be measured or set at the bedside:
mg to 0.1 mg, mg/kg to 0.001 mg/kg, mL to 0.01 mL (1 mL syringe graduation), mL/h to 0.1 mL/h (pump
resolution), mg/h to 0.1 mg/h, mg/kg/h to 0.001 mg/kg/h, tablets or devices to 0.01 unit. Intermediate
values are never rounded, and protocol limits are compared with unrounded values, so rounding can never
carry a dose over a limit unseen.

Inputs are ``Decimal``, ``int`` or a numeric ``str``. Floats are refused: ``0.1`` as a float is not
0.1, and a dose must not depend on binary representation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kapstone.clinical.monitoring import check_plausible_value
from kapstone.clinical.protocols import Protocol

Number = Decimal | int | str

MG = Decimal("0.1")
MG_PER_KG = Decimal("0.001")
ML = Decimal("0.01")
ML_PER_H = Decimal("0.1")
MG_PER_H = Decimal("0.1")
MG_PER_KG_PER_H = Decimal("0.001")
UNITS = Decimal("0.01")


def _dec(value: Number, name: str, *, zero_ok: bool = False) -> Decimal:
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"{name}: give a Decimal, int or str, not {type(value).__name__}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{name}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0 or (number == 0 and not zero_ok):
        raise ValueError(f"{name} must be a {'non-negative' if zero_ok else 'positive'} number, got {value}")
    return number


def _round(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _weight(weight_kg: Number) -> Decimal:
    weight = _dec(weight_kg, "weight_kg")
    check_plausible_value("weight_kg", weight)
    return weight


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def mg_from_mg_per_kg(mg_per_kg: Number, weight_kg: Number) -> Decimal:
    """Dose in mg (0.1 mg) from a weight-based dose: 0.5 mg/kg x 70 kg = 35.0 mg."""
    return _round(_dec(mg_per_kg, "mg_per_kg") * _weight(weight_kg), MG)


def mg_per_kg_from_mg(mg: Number, weight_kg: Number) -> Decimal:
    """Weight-based dose (0.001 mg/kg) of a dose in mg: 35 mg / 70 kg = 0.500 mg/kg."""
    return _round(_dec(mg, "mg") / _weight(weight_kg), MG_PER_KG)


def volume_ml(mg: Number, concentration_mg_per_ml: Number) -> Decimal:
    """Volume to draw (0.01 mL): 35 mg of 10 mg/mL = 3.50 mL; of 100 mg/mL = 0.35 mL."""
    return _round(_dec(mg, "mg") / _dec(concentration_mg_per_ml, "concentration_mg_per_ml"), ML)


def unit_count(mg: Number, strength_mg: Number) -> Decimal:
    """Tablets, lozenges or devices (0.01 unit): 56 mg of esketamine = 2.00 devices of 28 mg."""
    return _round(_dec(mg, "mg") / _dec(strength_mg, "strength_mg"), UNITS)


@dataclass(frozen=True)
class InfusionRate:
    ml_per_h: Decimal
    mg_per_h: Decimal
    mg_per_kg_per_h: Decimal


def infusion_rate(
    dose_mg: Number, weight_kg: Number, total_volume_ml: Number, duration_minutes: Number
) -> InfusionRate:
    """Pump rate for running ``dose_mg`` in ``total_volume_ml`` over ``duration_minutes``.

    Example: 35 mg in 100 mL over 40 min for 70 kg = 150.0 mL/h, 52.5 mg/h, 0.750 mg/kg/h.
    ``total_volume_ml`` is everything in the bag (diluent plus drawn drug if added to it).
    """
    mg = _dec(dose_mg, "dose_mg")
    weight = _weight(weight_kg)
    minutes = _dec(duration_minutes, "duration_minutes")
    # x * 60 / minutes, not x / (minutes / 60): 40/60 has no exact decimal, and dividing by its
    # rounded value could tip an exact .x5 result to the wrong side.
    return InfusionRate(
        ml_per_h=_round(_dec(total_volume_ml, "total_volume_ml") * 60 / minutes, ML_PER_H),
        mg_per_h=_round(mg * 60 / minutes, MG_PER_H),
        mg_per_kg_per_h=_round(mg * 60 / (weight * minutes), MG_PER_KG_PER_H),
    )


def default_dose_mg(protocol: Protocol, weight_kg: Number | None = None) -> Decimal:
    """The protocol's default dose in mg (weight-based protocols need the weight)."""
    if protocol.dose.basis == "fixed_mg":
        return _round(protocol.dose.default.value, MG)
    if weight_kg is None:
        raise ValueError(f"{protocol.id} doses by weight: weight_kg is required")
    return mg_from_mg_per_kg(protocol.dose.default.value, weight_kg)


@dataclass(frozen=True)
class DoseProblem:
    code: str  # e.g. "above_maximum", "above_session_maximum", "booster_too_early"
    message: str  # what is outside and by how much, in words
    limit: Decimal | None = None  # the limit, in the protocol's dose unit (mg or mg/kg) or minutes
    excess: Decimal | None = None  # by how much it is exceeded, same unit


@dataclass(frozen=True)
class DoseCheck:
    mg: Decimal  # the proposed dose, rounded to 0.1 mg
    mg_per_kg: Decimal | None  # rounded to 0.001 mg/kg; None without a weight
    problems: tuple[DoseProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if self.ok:
            return "Within the protocol."
        return " ".join(p.message for p in self.problems)


class _Amounts:
    """Says an amount in the protocol's unit, with mg beside it for weight-based protocols."""

    def __init__(self, protocol: Protocol, weight: Decimal | None) -> None:
        # The weight counts only for a weight-based protocol (check_dose refuses one without it).
        self.weight = weight if protocol.dose.basis == "mg_per_kg" else None

    def mg(self, amount: Decimal) -> Decimal:
        """``amount`` in the basis unit, in mg."""
        return amount * self.weight if self.weight is not None else amount

    def basis(self, mg: Decimal) -> Decimal:
        """``mg`` in the basis unit (mg or mg/kg)."""
        return mg / self.weight if self.weight is not None else mg

    def say(self, amount: Decimal, *, is_mg: bool = False) -> str:
        """``amount`` is in the basis unit unless ``is_mg``."""
        if self.weight is None:
            return f"{_fmt(_round(amount, MG))} mg"
        mg = amount if is_mg else amount * self.weight
        per_kg = mg / self.weight
        return f"{_fmt(_round(per_kg, MG_PER_KG))} mg/kg ({_fmt(_round(mg, MG))} mg)"


def check_dose(
    protocol: Protocol,
    mg: Number,
    *,
    weight_kg: Number | None = None,
    booster: bool = False,
    given_mg: Number = 0,
    boosters_given: int = 0,
    minutes_since_first_dose: int | None = None,
    infusion_minutes: int | None = None,
) -> DoseCheck:
    """Check a proposed dose (or booster) against the protocol; every breach is a :class:`DoseProblem`.

    ``given_mg`` is what this session has already received (all administrations); ``boosters_given``
    counts earlier boosters. For a booster, ``minutes_since_first_dose`` is needed to check the
    earliest booster time. Limits come from the protocol's dose unit: weight-based protocols need
    ``weight_kg`` and compare mg against ``limit x weight`` unrounded.
    """
    dose = protocol.dose
    amount = _dec(mg, "mg")
    weight = _weight(weight_kg) if weight_kg is not None else None
    if dose.basis == "mg_per_kg" and weight is None:
        raise ValueError(f"{protocol.id} doses by weight: weight_kg is required to check a dose")
    given = _dec(given_mg, "given_mg", zero_ok=True)
    if isinstance(boosters_given, bool) or not isinstance(boosters_given, int) or boosters_given < 0:
        raise ValueError(f"boosters_given must be a whole number >= 0, got {boosters_given!r}")
    a = _Amounts(protocol, weight)
    u = dose.unit
    problems: list[DoseProblem] = []

    def over(limit: Decimal, code: str, what: str) -> None:
        limit_mg = a.mg(limit)
        if amount > limit_mg:
            excess = a.basis(amount - limit_mg)
            problems.append(
                DoseProblem(
                    code,
                    f"{a.say(amount, is_mg=True)} is above {what} of {a.say(limit)} "
                    f"by {a.say(amount - limit_mg, is_mg=True)}.",
                    limit,
                    excess,
                )
            )

    if booster:
        rule = dose.booster
        allowed = int(rule.max_count.value)
        if allowed == 0:
            problems.append(
                DoseProblem("booster_not_allowed", f"The {protocol.title} protocol allows no booster.")
            )
        elif boosters_given >= allowed:
            problems.append(
                DoseProblem(
                    "too_many_boosters",
                    f"This would be booster {boosters_given + 1}; the protocol allows {allowed}.",
                    Decimal(allowed),
                    Decimal(boosters_given + 1 - allowed),
                )
            )
        if rule.max_each is not None:
            over(rule.max_each.value, "booster_above_max_each", "the protocol's booster maximum")
        if rule.earliest_minutes is not None and allowed:
            earliest = rule.earliest_minutes.value
            if minutes_since_first_dose is None:
                problems.append(
                    DoseProblem(
                        "booster_time_unknown",
                        f"Time since the first dose is needed: a booster may follow it after {earliest} min.",
                        earliest,
                    )
                )
            elif minutes_since_first_dose < earliest:
                short = earliest - minutes_since_first_dose
                problems.append(
                    DoseProblem(
                        "booster_too_early",
                        f"A booster {minutes_since_first_dose} min after the first dose is {short} min "
                        f"earlier than the protocol's {earliest} min.",
                        earliest,
                        short,
                    )
                )
    else:
        minimum_mg = a.mg(dose.minimum.value)
        if amount < minimum_mg:
            short = a.basis(minimum_mg - amount)
            problems.append(
                DoseProblem(
                    "below_minimum",
                    f"{a.say(amount, is_mg=True)} is below the protocol minimum of "
                    f"{a.say(dose.minimum.value)} by {a.say(minimum_mg - amount, is_mg=True)}.",
                    dose.minimum.value,
                    short,
                )
            )
        over(dose.maximum.value, "above_maximum", "the protocol maximum")

    if dose.step is not None and amount % dose.step.value:
        problems.append(
            DoseProblem(
                "not_a_step",
                f"{_fmt(amount)} {u} is not a multiple of the protocol's {_fmt(dose.step.value)} {u} step.",
                dose.step.value,
            )
        )

    # With nothing given yet, session_maximum >= maximum (a load-time rule), so the maximum check has
    # already said everything; repeating it as a session breach would only add noise.
    session_max_mg = a.mg(dose.booster.session_maximum.value)
    if given > 0 and given + amount > session_max_mg:
        total = given + amount
        excess_mg = total - session_max_mg
        problems.append(
            DoseProblem(
                "above_session_maximum",
                f"With {a.say(given, is_mg=True)} already given, the session total "
                f"{a.say(total, is_mg=True)} is above the protocol's session maximum of "
                f"{a.say(dose.booster.session_maximum.value)} by {a.say(excess_mg, is_mg=True)}.",
                dose.booster.session_maximum.value,
                a.basis(excess_mg),
            )
        )

    if infusion_minutes is not None:
        if isinstance(infusion_minutes, bool) or not isinstance(infusion_minutes, int):
            raise TypeError(f"infusion_minutes must be an int, not {type(infusion_minutes).__name__}")
        if protocol.infusion is None:
            raise ValueError(f"{protocol.id} has no infusion; infusion_minutes does not apply")
        low, high = protocol.infusion.duration_minutes.bounds
        if not low <= infusion_minutes <= high:
            problems.append(
                DoseProblem(
                    "infusion_duration_out_of_range",
                    f"An infusion over {infusion_minutes} min is outside the protocol's {low}-{high} min.",
                    high if infusion_minutes > high else low,
                )
            )

    return DoseCheck(
        mg=_round(amount, MG),
        mg_per_kg=_round(amount / weight, MG_PER_KG) if weight is not None else None,
        problems=tuple(problems),
    )
