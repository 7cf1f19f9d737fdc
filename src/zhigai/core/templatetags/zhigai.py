from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.loader import render_to_string
from django.templatetags.i18n import TranslateNode, do_translate
from django.templatetags.static import static
from django.utils.html import escape, format_html, format_html_join, json_script
from django.utils.safestring import SafeString, mark_safe

from zhigai.core.audit import ACTION_LABELS, ENTITY_LABELS
from zhigai.core.cache import cached_figures, language_key

register = template.Library()


class _LiteralTranslateNode(TranslateNode):
    """Django's {% translate "literal" %}: its output depends only on the active language (a quoted
    message is safe text, never escaped), so it is looked up once per language and then reused. A page
    has dozens of them, and each full lookup went through lazy strings and the thread's translation."""

    def __init__(self, node: TranslateNode):
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        self.memo: dict[tuple[str | None, int], Any] = {}

    def render(self, context: Context) -> Any:
        key = language_key()
        out = self.memo.get(key)
        if out is None:
            out = self.memo[key] = super().render(context)
        return out


@register.tag("translate")
@register.tag("trans")
def translate(parser: Parser, token: Token) -> TranslateNode:
    """{% translate %} as Django's i18n library has it, faster for a literal message: templates that load
    this library after i18n (`{% load i18n zhigai %}`) get it. makemessages finds the tag as before."""
    node = do_translate(parser, token)
    expression = node.filter_expression
    literal = getattr(expression.var, "literal", None)
    if isinstance(literal, str) and not expression.filters and not (node.noop or node.asvar or node.message_context):
        return _LiteralTranslateNode(node)
    return node


@register.simple_tag
def asset(path: str) -> str:
    """{% static path %}, looked up once per process: the stored files' names (with their hashes) only
    change with a new release, and the lookup cost more than the rest of a page's head."""
    return _static_url(path)


@lru_cache(maxsize=64)
def _static_url(path: str) -> str:
    return static(path)


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
    return f"{value:,.2f}" if not float(value).is_integer() else f"{int(value):,}"


# Stand-ins for the header's two per-request values while it is rendered for the cache.
_CSRF = "zhigai-header-csrf-token"
_NEXT = "zhigai-header-next-path"
_CSRF_INPUT = str(format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', _CSRF))


@register.simple_tag(takes_context=True)
def page_header(context: Any) -> SafeString:
    """The top bar of every page (core/partials/header.html), rendered once per user, language and data
    version: its links and labels cost more to render than many a page's own content. The CSRF token
    (masked afresh for each request, as Django's tag does) and the current address go in afterwards."""
    user = context.get("user")
    nav_region = context.get("nav_region")
    who: tuple[Any, ...] = ()
    if user is not None and user.is_authenticated:
        who = (user.pk, user.username, user.role, user.region_id, user.enterprise_id, user.is_superuser)
    key = ("page-header", language_key(), who, bool(context.get("can_import")), nav_region and nav_region.pk)

    def render() -> str:
        values = {"user": user, "nav_region": nav_region, "can_import": context.get("can_import"),
                  "csrf_token": _CSRF, "next_path": _NEXT}
        return render_to_string("core/partials/header.html", values)

    html = cached_figures(key, render, shared=False)
    token = context.get("csrf_token")
    token = str(token) if token else ""
    html = html.replace(_CSRF_INPUT, _CSRF_INPUT.replace(_CSRF, token) if token and token != "NOTPROVIDED" else "")
    request = context.get("request")
    return mark_safe(html.replace(_NEXT, escape(request.get_full_path()) if request is not None else ""))
