from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import SafeString, mark_safe

from zhigai.core.audit import ACTION_LABELS, ENTITY_LABELS
from zhigai.core.numbers import count_text, money_range_text, money_text, number_text, percent_text, yuan_exact_text

register = template.Library()


@register.simple_tag
def chart(name: str, spec: dict[str, Any]) -> SafeString:
    """A Plotly chart: a placeholder div and its figure as JSON, drawn by app.js."""
    element_id = f"chart-{name}"
    return format_html('<div class="chart" data-chart="{}"></div>{}', element_id, json_script(spec, element_id))


def _option_tags(choices: Any) -> str:
    return str(format_html_join("", '<option value="{}">{}</option>', choices))


@register.simple_tag
def options(choices: Any, selected: Any, blank: str | None = None) -> SafeString:
    """<option> elements for (value, label) pairs, or for options already rendered (a string, as the
    reference lists are, once per language), with `selected` marked. Long lists render fast either way."""
    body = choices if isinstance(choices, str) else _option_tags(choices)
    if selected:
        needle = str(format_html('<option value="{}">', selected))
        body = body.replace(needle, needle[:-1] + " selected>", 1)
    head = format_html('<option value="">{}</option>', blank) if blank is not None else ""
    return mark_safe(head + body)  # every part comes from format_html, which escaped it


@register.filter
def attr(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)


@register.filter
def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


@register.filter
def entity_label(code: str) -> str:
    return str(ENTITY_LABELS.get(code, code))


@register.filter
def attr_get(mapping: Any, key: str) -> Any:
    """mapping[key] in a template, for keys held in variables."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def percent(value: Any) -> str:
    """A share (0.8) as a percentage at the platform's one precision (core.numbers)."""
    return percent_text(value)


@register.filter
def num(value: Any) -> str:
    """A count, whole, with thousands separators."""
    return count_text(value)


@register.filter
def decimal(value: Any) -> str:
    """A figure that is neither money nor a count (points of benefit), to two places at most, grouped as the
    platform groups numbers in both languages ("14,063.23")."""
    return number_text(value)


@register.filter
def yuan(value: Any) -> str:
    """One money figure (Decimal yuan) with the unit its size calls for: 25.8 万元, 258 thousand yuan."""
    return money_text(value)


@register.filter
def yuan_exact(value: Any) -> str:
    """A money figure in 元 to the fen, whatever its size: the tooltip of a figure shown in 万元 or 亿元."""
    return yuan_exact_text(value)


@register.filter
def yuan_range(low: Any, high: Any) -> str:
    """A money range in one unit chosen from its larger end: {{ low|yuan_range:high }} → 20–50 万元."""
    return money_range_text(low, high)
