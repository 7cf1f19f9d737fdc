"""The enterprise list's name search: every word of the query, in any order.

"万通 机械" and "万通机械" both find 三门万通新机械有限公司. Chinese is written without spaces, so a word of
Chinese matches with other characters between its own, in its order ("万通机械" has 新 between its two words
in that name); a word with Latin letters matches as it is written, without case. Each word is one LIKE,
which both databases run over the list's rows without an index, as the one-word search always did.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Lookup, Q


def like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class CharsInOrder(Lookup):  # type: ignore[type-arg]
    """lhs holds the characters of rhs in their order, anything between them (LIKE '%万%通%机%械%')."""

    lookup_name = "chars_in_order"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: Any) -> tuple[str, list[str | int]]:
        return "%s", ["%" + "%".join(like_escaped(c) for c in str(value)) + "%"]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # The same escape character on both databases (Django's own `contains` relies on it as well).
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]


def name_matches(q: str, field: str = "name") -> list[Any]:
    """Conditions for filter(): the names holding every word of q."""
    conditions: list[Any] = []
    for word in q.split():
        if any(c.isascii() and c.isalpha() for c in word):
            conditions.append(Q(**{f"{field}__icontains": word}))
        else:  # Chinese has no case: a plain LIKE, without UPPER() on 100,000 names
            conditions.append(CharsInOrder(F(field), word))
    return conditions
