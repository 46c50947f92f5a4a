from datetime import timedelta
from decimal import Decimal

from django import template

from kapstone.sessions.amounts import plain

register = template.Library()


@register.filter
def num(value):
    """A Decimal without trailing zeros (35.0 -> 35, 0.350 -> 0.35); other values unchanged."""
    if isinstance(value, Decimal):
        return plain(value)
    return "" if value is None else value


@register.filter
def minutes(value):
    """A duration as "1 h 05 min" / "12 min"."""
    if not isinstance(value, timedelta):
        return ""
    total = int(value.total_seconds() // 60)
    if total < 0:
        return f"-{minutes(-value)}"
    hours, mins = divmod(total, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


@register.filter
def iso(value):
    return value.isoformat() if value is not None else ""


@register.filter
def flag_for(reading, parameter):
    return reading.flag_for(parameter) if reading is not None else None


@register.filter
def flag_word(flag):
    if not flag:
        return ""
    return "HIGH" if flag.get("direction") == "high" else "LOW"
