from django import template
from django.utils import dateformat, timezone

register = template.Library()


@register.simple_tag(takes_context=True)
def local_time(context, value, fmt="Y-m-d H:i T"):
    """A stored UTC time shown in the practice's own time zone (the zone is printed by default)."""
    if value is None:
        return ""
    practice = context.get("practice")
    zone = practice.zone if practice else timezone.get_current_timezone()
    return dateformat.format(value.astimezone(zone), fmt)
