from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ninja import Query, Router

from zhigai.core.types import ApiRequest

from .figures import figure_rows
from .schemas import FigureOut, FiguresQuery
from .selectors import figure_filters

router = Router(tags=["analytics"])


@router.get("/figures", response=list[FigureOut], summary="The study's figures by year (docs/figures.md)",
            description="Every figure of docs/figures.md by year, for the enterprises the user may see that "
                        "pass the filters: `region` (a region code, with every region below it), `industry` (a "
                        "division or class code), `tag` (equipment, hightech, strategic, traditional), `size` "
                        "(large, medium, small, micro: the size group in each year), `year_from`, `year_to`. "
                        "Money values are decimal strings in yuan; shares and growth rates (unit `%`) are "
                        "fractions (0.162 = 16.2 %); a figure with nothing to compute from is null. "
                        "An unknown code, a region outside the user's jurisdiction or year_from after year_to "
                        "answers 422.")
def figures(request: ApiRequest, query: Query[FiguresQuery]) -> list[dict[str, Any]]:
    filters = figure_filters(user=request.auth, **query.model_dump())
    return [_out(row) for row in figure_rows(user=request.auth, filters=filters)]


def _out(row: Any) -> dict[str, Any]:
    out = asdict(row)
    out.pop("kind")
    return out


