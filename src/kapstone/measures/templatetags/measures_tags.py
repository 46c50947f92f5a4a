from django import template

from kapstone.clinical.instruments import Instrument, format_score

register = template.Library()


@register.filter
def score_in(value, instrument: Instrument) -> str:
    """``{{ response.total|score_in:instrument }}``: rounded as the instrument reports it
    (``kapstone.clinical.instruments.format_score``)."""
    return format_score(instrument, None if value == "" else value)


@register.filter
def change_in(value, instrument: Instrument) -> str:
    """A signed change in points, rounded as the instrument reports scores (+3, minus 4)."""
    if value is None or value == "":
        return "—"
    text = format_score(instrument, abs(value))
    if float(value) == 0 or text.strip("0.") == "":
        return text
    return ("\u2212" if value < 0 else "+") + text
