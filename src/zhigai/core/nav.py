"""The header's navigation: modules add their items (AppConfig.ready), core names none of their URLs.

An item is a label, a URL name (with arguments worked out from the user, for a link such as "my region"),
an order, and who sees it: a predicate on the signed-in user, evaluated on every request, so the header
never shows a link its user has lost the right to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise  # lazy: translated when the header renders
    url_name: str
    order: int
    visible: Callable[[Any], bool] = _signed_in
    args: Callable[[Any], tuple[Any, ...]] | None = None  # URL arguments from the user


_ITEMS: dict[str, NavItem] = {}


def nav_item_register(label: str | Promise, url_name: str, *, order: int,
                      visible: Callable[[Any], bool] = _signed_in,
                      args: Callable[[Any], tuple[Any, ...]] | None = None) -> None:
    """Add (or replace, by URL name) a header link; items show in ascending `order`."""
    _ITEMS[url_name] = NavItem(label, url_name, order, visible, args)


class Nav:
    """The items one user sees, worked out when the header first asks (not on pages without a header)."""

    def __init__(self, user: Any):
        self.user = user
        self._items: list[tuple[NavItem, tuple[Any, ...]]] | None = None

    def _visible(self) -> list[tuple[NavItem, tuple[Any, ...]]]:
        if self._items is None:
            user = self.user
            shown = sorted((i for i in _ITEMS.values() if _signed_in(user) and i.visible(user)),
                           key=lambda i: (i.order, i.url_name))
            self._items = [(i, i.args(user) if i.args else ()) for i in shown]
        return self._items

    @property
    def key(self) -> str:
        """What the rendered links depend on besides the language, for the header's {% cache %} key."""
        return repr([(i.url_name, args) for i, args in self._visible()])

    @property
    def links(self) -> list[tuple[str, str]]:
        return [(reverse(i.url_name, args=args), str(i.label)) for i, args in self._visible()]


# What the platform holds, one line per module, for the sign-in page: each module says what it brings when
# it registers (AppConfig.ready), so the page promises only what is installed.
_PARTS: dict[str, tuple[int, str | Promise]] = {}


def platform_part_register(name: str, summary: str | Promise, *, order: int) -> None:
    """Add (or replace, by name) a module's one-line summary; shown in ascending `order`."""
    _PARTS[name] = (order, summary)


def platform_parts() -> list[str]:
    return [str(summary) for _order, summary in sorted(_PARTS.values(), key=lambda p: p[0])]
