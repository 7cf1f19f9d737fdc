"""The base of every API input schema: each string it receives is checked by core.text.

A body, a query or a form schema of the API derives from `InputSchema` (tests/core/test_text.py walks
every operation and holds them to it), so a NUL, another control character or a lone surrogate in any
field — nested in lists and objects too, keys included — answers 422 {"code": "invalid", "details":
[{"field", "message"}]} naming the field, before anything reaches a database. Numbers sent as strings
must be ASCII digits: pydantic reads "１２３" as a Decimal. Values are never changed here; the services
trim, normalise and check names (core.text.clean_text).
"""

from __future__ import annotations

import types
import typing
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ValidationInfo, field_validator

from .text import text_problem


def _takes_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(_takes_str(a) for a in typing.get_args(annotation))
    return origin is typing.Literal


def _problem(value: Any, multiline: bool) -> str | None:
    if isinstance(value, str):
        return text_problem(value, multiline=multiline)
    if isinstance(value, dict):
        for key, item in value.items():
            found = _problem(key, False) or _problem(item, multiline)
            if found:
                return found
    if isinstance(value, list | tuple):
        for item in value:
            found = _problem(item, multiline)
            if found:
                return found
    return None


class InputSchema(Schema):
    """An API input: every string field is checked (see the module); `multiline` names the fields in
    which tab and line breaks are allowed."""

    multiline: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _checked_text(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        problem = _problem(value, name in cls.multiline)
        if problem:
            raise ValueError(problem)
        field = cls.model_fields.get(name)
        if isinstance(value, str) and not value.isascii() and field is not None and not _takes_str(field.annotation):
            raise ValueError(_("数字只能用半角（ASCII）数字书写"))
        return value
