from django import template

from kapstone.pathway.models import STAGE_LABELS

register = template.Library()


@register.filter
def stage_label(value: str) -> str:
    return STAGE_LABELS.get(value, value)
