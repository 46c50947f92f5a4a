from django import template

register = template.Library()


@register.filter
def score_value(value) -> str:
    """A total as people write it: 12 (not 12.0), a mean with one decimal (62.3), a dash for none."""
    if value is None or value == "":
        return "—"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.1f}"
