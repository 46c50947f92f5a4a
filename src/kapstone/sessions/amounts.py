"""How an amount reads on every sessions page and form: a Decimal without trailing zeros.

Doses, volumes, strengths, weights and protocol values are stored as exact Decimals (35.0, 0.350);
people read them as written on an order: 35, 0.35.
"""

from decimal import Decimal


def plain(value: Decimal | int | str) -> str:
    """``Decimal("35.0")`` -> ``"35"``, ``Decimal("0.350")`` -> ``"0.35"`` (never scientific notation)."""
    return f"{Decimal(value).normalize():f}"
