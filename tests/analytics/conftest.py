"""Hand-built enterprises whose figures are worked out by hand in the tests."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from zhigai.base.models import Enterprise, Indicator, Tag

M = Decimal(1_000_000)


@pytest.fixture
def year_row(db: Any) -> Callable[..., Indicator]:
    """An annual row; money given in millions of yuan (revenue 30 = 30,000,000 yuan: above the line)."""

    def make(enterprise: Enterprise, year: int, **values: Any) -> Indicator:
        money = {"revenue", "added_value", "profit", "industrial_investment", "tech_investment", "frontline_wage"}
        fields = {k: (Decimal(str(v)) * M if k in money and k != "frontline_wage" else v) for k, v in values.items()}
        if "frontline_wage" in values:
            fields["frontline_wage"] = Decimal(str(values["frontline_wage"]))
        return Indicator.objects.create(enterprise=enterprise, year=year, month=0, **fields)

    return make


@pytest.fixture
def tag(db: Any) -> Callable[[Enterprise, str], None]:
    def give(enterprise: Enterprise, code: str) -> None:
        enterprise.tags.add(Tag.objects.get(code=code))

    return give
