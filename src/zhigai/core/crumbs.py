"""Breadcrumbs: the way from a list to the page, given by each view as data, rendered by base.html.

    crumbs(Crumb(_("企业"), reverse("base:enterprise_list")), Crumb(e.name, e_url), current=_("编辑"))

Each module builds the trail of its own pages from the trail of the page above it (the diagnosis of an
enterprise starts from the enterprise's trail), so no module names another's URLs beyond its own parents.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Crumb:
    label: str | Promise
    url: str | None = None  # None for the page itself


def crumbs(*trail: Crumb, current: str | Promise) -> list[Crumb]:
    """The trail of links above a page, then the page itself (shown, not linked)."""
    return [*trail, Crumb(current)]
