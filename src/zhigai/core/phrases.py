"""Sentences kept as their message id and parameters, so that each reader gets them in their own language.

What a check finds is shown later, often to someone else (an import's report is read by whoever may see the
import, in the language they chose): a Phrase is the sentence in the current language, as any str, and also
remembers its msgid (the Chinese source text) and parameters. `stored()` is what goes into the database;
`phrase_text()` translates a stored one when it is shown. Write the msgid as `gettext_noop("…")` so that
makemessages finds it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


def _render(msgid: str, params: dict[str, Any]) -> str:
    text = gettext(msgid)
    return text % params  # "%%" is a percent sign, with parameters or without


class Phrase(str):
    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> Phrase:
        params = params or {}
        self = super().__new__(cls, _render(msgid, params))
        self.msgid, self.params = msgid, params
        return self

    def stored(self) -> dict[str, Any]:
        """{"code": msgid, "params": {...}}, nested phrases stored alike, other values as JSON takes them."""
        return {"code": self.msgid, "params": {k: _stored_param(v) for k, v in self.params.items()}}


def _stored_param(value: Any) -> Any:
    if isinstance(value, Phrase):
        return value.stored()
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)


def phrase_text(code: str, params: dict[str, Any] | None, fallback: str = "") -> str:
    """A stored phrase in the current language; `fallback` (the text as first written) if it cannot be
    rendered any more (its message changed since, with other parameters)."""
    values = {
        k: phrase_text(v["code"], v.get("params"), "") if isinstance(v, dict) and "code" in v else v
        for k, v in (params or {}).items()
    }
    try:
        return _render(code, values)
    except (KeyError, TypeError, ValueError):
        return fallback or code


def reason(exc: BaseException) -> str:
    """What an exception raised with one message says, as the message itself (a Phrase stays a Phrase;
    str(exc) would make it a plain str)."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, str) else str(exc)
