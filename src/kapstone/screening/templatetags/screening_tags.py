import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..presenters import fact_label, fact_value

register = template.Library()

_BULLET = re.compile(r"^\s*[-*]\s+")


@register.filter
def simple_text(text: str) -> str:
    """Plain text as HTML: blank lines make paragraphs, lines starting with '- ' make a list.

    Everything is escaped first, so a practice's text can never inject markup.
    """
    blocks = [block for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if block.strip()]
    html = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        items: list[str] = []
        prose: list[str] = []
        for line in lines:
            if _BULLET.match(line):
                items.append(escape(_BULLET.sub("", line).strip()))
            elif items:
                items[-1] += " " + escape(line.strip())
            else:
                prose.append(escape(line.strip()))
        if prose:
            html.append("<p>" + "<br>".join(prose) + "</p>")
        if items:
            html.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
    return mark_safe("\n".join(html))


@register.filter
def fact_words(value, key):
    return fact_value(key, value)


@register.filter
def fact_name(key):
    return fact_label(key)
