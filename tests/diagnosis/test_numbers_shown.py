"""Diagnosis figures through core.numbers: data checks with their unit and year, level charts that fit
their labels, a score history whose date axis never ticks hours, and the level explained beside the stage."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone, translation

from zhigai.diagnosis.charts import progress, stacked_levels
from zhigai.diagnosis.check_text import check_value_text
from zhigai.diagnosis.definition import Check, Text
from zhigai.diagnosis.models import Kind, MaturityModel
from zhigai.diagnosis.results import level_stage_text


def _check(indicator: str, per: str | None = None, scale: float = 1, unit: dict[str, str] | None = None) -> Check:
    return Check(indicator, per, scale, None, 0.02, None, Text(**unit) if unit else None)


def test_a_defect_rate_reads_as_a_percentage_with_its_year() -> None:
    with translation.override("zh-hans"):
        assert check_value_text(_check("defect_rate"), 0.03, 2020) == "3.0%（2020 年）"
    with translation.override("en"):
        assert check_value_text(_check("defect_rate"), 0.03, 2020, "en") == "3.0% (2020)"


def test_other_checks_read_with_the_models_unit_money_in_its_unit_and_cloud_by_name() -> None:
    robots = _check("robots", "frontline_employees", 100, {"zh": "台/百名一线工人", "en": "robots per 100 workers"})
    share = _check("tech_investment", "industrial_investment", 100, {"zh": "%（技改投资占工业投资）", "en": "%"})
    with translation.override("zh-hans"):
        assert check_value_text(robots, 0.8333, 2021) == "0.83 台/百名一线工人（2021 年）"
        assert check_value_text(share, 45.25, None) == "45.25%（技改投资占工业投资）"
        assert check_value_text(_check("revenue"), 38436449.0, 2020) == "3,843.64 万元（2020 年）"
        assert check_value_text(_check("cloud_level"), 1, 2020) == "1 · 基础设施上云（2020 年）"
        assert check_value_text(robots, None, 2020) == "—"


def _assessment(when: datetime, score: float, kind: str = Kind.SELF) -> Any:
    return SimpleNamespace(model=SimpleNamespace(name="阶梯"), kind=kind, submitted=when, created=when, score=score)


def test_two_assessments_on_one_day_give_a_date_axis_of_days() -> None:
    noon = timezone.make_aware(datetime(2026, 12, 1, 12))
    spec = progress([_assessment(noon, 1.2), _assessment(noon + timedelta(minutes=5), 1.5, Kind.EXPERT)])
    axis = spec["layout"]["xaxis"]
    assert axis["type"] == "date" and axis["hoverformat"] == "%Y-%m-%d"
    low, high = (date.fromisoformat(v) for v in axis["range"])
    assert high - low >= timedelta(days=14) and low < date(2026, 12, 1) < high  # never 23:59:59.999 … 00:00
    assert all(x == "2026-12-01" for line in spec["data"] for x in line["x"])
    assert spec["layout"]["legend"]["y"] > 1, "the legend above the plot, off the labels"


def test_a_history_over_years_keeps_plotlys_range() -> None:
    first = timezone.make_aware(datetime(2024, 3, 1))
    spec = progress([_assessment(first, 1.0), _assessment(first + timedelta(days=400), 2.0)])
    assert "range" not in spec["layout"]["xaxis"]


def test_level_charts_are_horizontal_with_the_legend_above_and_every_label() -> None:
    rows = [(f"地区{k}", {0: k, 1: 2}) for k in range(11)]
    spec = stacked_levels(rows, [(0, "未达到一级"), (1, "机械化")])
    assert all(trace["orientation"] == "h" and trace["y"] == [r[0] for r in rows] for trace in spec["data"])
    layout = spec["layout"]
    assert layout["legend"]["y"] > 1 and layout["yaxis"]["dtick"] == 1 and layout["yaxis"]["automargin"]
    assert layout["xaxis"]["title"]["text"] and "s" not in layout["xaxis"]["tickformat"]
    assert layout["height"] >= 300


@pytest.mark.django_db
def test_the_level_is_explained_beside_the_stage(ladder: MaturityModel, gbt: MaturityModel) -> None:
    with translation.override("zh-hans"):
        ladder_text = level_stage_text(ladder.spec, 0, "机械化", "zh-hans")
        gbt_text = level_stage_text(gbt.spec, 0, "机械化", "zh-hans")
    assert "每一级对应一个改造阶段" in ladder_text and "L0 表示" in ladder_text and "机械化" in ladder_text
    assert "另一个尺度" in gbt_text and "当前：机械化" in gbt_text
    with translation.override("en"):
        english = level_stage_text(gbt.spec, 2, "Automation", "en")
    assert "separate scale" in english and "Automation" in english


def test_a_radar_puts_long_english_axis_names_on_two_lines() -> None:
    from zhigai.diagnosis.charts import radar

    spec = radar([{"name": "Network and integration", "score": 2.0}, {"name": "装备与自动化", "score": 3.0}], 5)
    assert spec["data"][0]["theta"][:2] == ["Network and<br>integration", "装备与自动化"]
