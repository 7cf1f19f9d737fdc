"""The breadcrumb trails of the base pages, which the pages of other modules about an enterprise extend."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhigai.core.crumbs import Crumb


def enterprises_trail() -> list[Crumb]:
    return [Crumb(_("企业"), reverse("base:enterprise_list"))]


def enterprise_trail(enterprise: Any) -> list[Crumb]:
    """To an enterprise's page: the list, the enterprise."""
    return [*enterprises_trail(), Crumb(enterprise.name, reverse("base:enterprise_detail", args=[enterprise.uscc]))]


def imports_trail() -> list[Crumb]:
    return [Crumb(_("导入"), reverse("base:import"))]
