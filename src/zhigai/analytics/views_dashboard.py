"""The dashboard's section (base.sections.dashboard_section_register): the figures of a chosen year with
their growth, and the enterprises' stages by year — on the home page and on every region page."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from zhigai.core.policy import permitted

from .charts import stage_chart
from .definitions import BY_CODE
from .display import value_text
from .figures import data_years, year_figure_rows
from .selectors import FIGURES_VIEW, FigureFilters, sample, stage_shares, stages_by_year

# (level figure, its growth) shown as tiles.
TILES = (
    ("labor_productivity", "labor_productivity_growth"),
    ("profit", "profit_growth"),
    ("tech_investment", "tech_investment_growth"),
    ("tech_investment_share", ""),
    ("labor_cost_saved", ""),
    ("robot_density", ""),
)


def dashboard_section(request: HttpRequest, region_code: str | None) -> SafeString | None:
    user = request.user
    if not permitted(user, FIGURES_VIEW):
        return None
    filters = FigureFilters(region=region_code or "")
    years = data_years(user=user, filters=filters)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isascii() and raw.isdigit() and int(raw) in years else (years[-1] if years else None)
    # Only the chosen year's figures (with its growth): summing every year would cost the page seconds at
    # the province's size whenever an import or an edit has emptied the cache.
    rows = year_figure_rows(user=user, filters=filters, year=year) if year is not None else []
    by_key = {(r.code, r.year): r for r in rows if r.tag is None}
    tiles = []
    portion = sample()
    if year is not None:
        for level, growth in TILES:
            row = by_key.get((level, year))
            change = by_key.get((growth, year)) if growth else None
            tiles.append({
                "name": BY_CODE[level].name, "definition": BY_CODE[level].definition,
                "text": value_text(BY_CODE[level].kind, row.value if row else None),
                "growth": value_text("ratio", change.value) if change and change.value is not None else "",
                "real": value_text("ratio", change.real_value) if change and change.real_value is not None else "",
                # A sum over a sample of the province is the sample's, and says so (the study page estimates).
                "sample": portion.is_sample and BY_CODE[level].kind == "money",
            })
    shares = stage_shares(stages_by_year(user=user, region_code=region_code or ""))
    html = render_to_string("analytics/dashboard_section.html", {
        "years": years, "year": year, "tiles": tiles, "stages": stage_chart(shares) if shares else None,
    }, request=request)
    return mark_safe(html)  # rendered by the template engine, which escaped every value
