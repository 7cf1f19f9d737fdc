"""Reference-data loaders that modules register, so `zhigai load-reference` and the start of every command
load each module's data files without core or base importing the module.

A loader is a pair of functions: `load()` reads the module's files and writes them (the operator's
`zhigai load-reference`: the files win) and `ensure()` writes only what is missing (every start: what an
officer edited since stays). Each returns {what: count} for the command's report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Counts = dict[str, int]


@dataclass(frozen=True)
class ReferenceLoader:
    name: str
    load: Callable[[], Counts]
    ensure: Callable[[], Counts]
    order: int = 100


_LOADERS: dict[str, ReferenceLoader] = {}


def reference_loader_register(name: str, *, load: Callable[[], Counts], ensure: Callable[[], Counts],
                              order: int = 100) -> None:
    """Add (or replace, by name) a module's loader; loaders run in ascending `order` (AppConfig.ready)."""
    _LOADERS[name] = ReferenceLoader(name, load, ensure, order)


def reference_loaders() -> list[ReferenceLoader]:
    return sorted(_LOADERS.values(), key=lambda loader: (loader.order, loader.name))
