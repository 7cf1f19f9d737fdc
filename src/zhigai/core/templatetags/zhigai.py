from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import SafeString, mark_safe

from zhigai.core.audit import ACTION_LABELS, ENTITY_LABELS

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
    return "—" if value is None else f"{float(value):.0%}"


@register.filter
def num(value: Any) -> str:
    """A whole number with thousands separators."""
    return "—" if value is None else f"{round(float(value)):,}"


@register.filter
def yuan(value: Any) -> str:
    """Money for reading: thousands separated, no decimals past the fen."""
    if value is None:
        return "—"
    # Whole yuan by the value itself, not a float of it: a float drops the fen above about 1e15 yuan.
    whole = value == int(value) if isinstance(value, Decimal | int) else float(value).is_integer()
    return f"{int(value):,}" if whole else f"{value:,.2f}"
