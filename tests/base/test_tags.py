"""Tags (docs/figures.md): an enterprise's own tags when it has any, otherwise its industry's by default."""

from typing import Any

import pytest

from zhigai.base.models import Enterprise, Indicator, Tag
from zhigai.base.selectors import tag_q

pytestmark = pytest.mark.django_db


def _enterprises(code: str) -> set[int]:
    return set(Enterprise.objects.filter(tag_q(code)).values_list("id", flat=True))


def _indicator_enterprises(code: str) -> list[int]:
    return list(Indicator.objects.filter(tag_q(code, "enterprise__")).values_list("enterprise_id", flat=True))


def test_own_tags_replace_the_industry_default(make_enterprise: Any) -> None:
    machine = make_enterprise(industry="34")  # general-purpose machinery: equipment by default
    assert machine.industry.tags.filter(code="equipment").exists()
    tagged = make_enterprise(industry="34")
    tagged.tags.set([Tag.objects.get(code="hightech"), Tag.objects.get(code="strategic")])
    for e in (machine, tagged):
        Indicator.objects.create(enterprise=e, year=2020, month=0)
    assert machine.id in _enterprises("equipment") and tagged.id not in _enterprises("equipment")
    assert tagged.id in _enterprises("hightech") and machine.id not in _enterprises("hightech")
    # Through another model, and without a row per tag (two own tags, still one indicator row).
    assert _indicator_enterprises("equipment") == [machine.id]
    assert _indicator_enterprises("strategic") == [tagged.id]
