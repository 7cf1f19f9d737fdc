from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from zhigai.core.errors import InvalidInput
from zhigai.core.schemas import InputSchema
from zhigai.core.types import ApiRequest

from . import selectors, services
from .import_report import shown_errors
from .importer import import_job_create
from .models import Enterprise, Indicator, Stage, StageSource
from .schemas import (
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePage,
    EnterprisePatch,
    ImportCreated,
    ImportOut,
    IndicatorOut,
    IndicatorValues,
    IndustryOut,
    RegionOut,
    StageYearOut,
)
from .validation import INDICATOR_NAMES

router = Router(tags=["base"])


def enterprise_out(e: Enterprise) -> dict[str, Any]:
    return {
        "uscc": e.uscc,
        "name": e.name,
        "region": e.region.code,
        "industry": e.industry.code,
        "size_class": e.size_class,
        "above_designated_size": e.above_designated_size,
        "stage": e.stage,
        "founded_year": e.founded_year,
        "cluster": e.cluster.code if e.cluster_id and e.cluster else None,
        "tags": [t.code for t in e.tags.all()],
    }


def indicator_out(row: Indicator) -> dict[str, Any]:
    return {"year": row.year, "month": row.month, **{n: getattr(row, n) for n in INDICATOR_NAMES}}


class ListQuery(InputSchema):
    q: str = ""
    region: str = ""
    industry: str = ""
    size: str = ""
    stage: str = ""
    tag: str = ""
    sort: str = "name"
    page: int = 1
    page_size: int = 50


@router.get("/regions", response=list[RegionOut])
def regions(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "level": r.level,
            "parent": r.parent.code if r.parent else None,
        }
        for r in selectors.region_list()
    ]


@router.get("/industries", response=list[IndustryOut])
def industries(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": i.code, "name_zh": i.name_zh, "name_en": i.name_en, "tags": [t.code for t in i.tags.all()]}
        for i in selectors.industry_list()
    ]


@router.get("/enterprises", response=EnterprisePage)
def enterprises(request: ApiRequest, query: Query[ListQuery]) -> dict[str, Any]:
    if not selectors.region_filter_allowed(user=request.auth, code=query.region):
        # Not an empty page ("no enterprise there"): the region is outside what this user may list.
        message = _("所选地区不在您的辖区内。")
        raise InvalidInput(message, details=[{"field": "region", "message": message}])
    filters = selectors.EnterpriseFilters(
        q=query.q,
        region=query.region,
        industry=query.industry,
        size=query.size,
        stage=query.stage,
        tag=query.tag,
        sort=query.sort,
    )
    page_size = min(max(query.page_size, 1), 500)
    page = max(query.page, 1)
    count = selectors.enterprise_count(user=request.auth, filters=filters)
    # A page past the end is empty, as the count says; its offset is never sent to the database (a page
    # of 2**62 would overflow a 64-bit OFFSET).
    if (page - 1) * page_size >= count:
        return {"count": count, "page": page, "page_size": page_size, "items": []}
    qs = selectors.enterprise_list(user=request.auth, filters=filters)
    items = qs.select_related("region", "industry", "cluster").prefetch_related("tags")[
        (page - 1) * page_size : page * page_size
    ]
    return {"count": count, "page": page, "page_size": page_size, "items": [enterprise_out(e) for e in items]}


@router.post("/enterprises", response={201: EnterpriseOut})
def enterprise_create(request: ApiRequest, payload: EnterpriseIn) -> Status[dict[str, Any]]:
    data = payload.model_dump()
    data["tags"] = ";".join(data["tags"])
    created = services.enterprise_create(by=request.auth, data=data)
    return Status(201, enterprise_out(selectors.access_enterprise(user=request.auth, uscc=created.uscc)))


@router.get("/enterprises/{uscc}", response=EnterpriseOut)
def enterprise_detail(request: ApiRequest, uscc: str) -> dict[str, Any]:
    return enterprise_out(selectors.access_enterprise(user=request.auth, uscc=uscc))


@router.patch("/enterprises/{uscc}", response=EnterpriseOut)
def enterprise_patch(request: ApiRequest, uscc: str, payload: EnterprisePatch) -> dict[str, Any]:
    user = request.auth
    enterprise = selectors.access_enterprise(user=user, uscc=uscc)
    data = payload.model_dump(exclude_unset=True)
    if "tags" in data:
        data["tags"] = ";".join(data["tags"] or [])
    services.enterprise_update(by=user, enterprise=enterprise, data=data)
    return enterprise_out(selectors.access_enterprise(user=user, uscc=uscc))


@router.get("/enterprises/{uscc}/stages", response=list[StageYearOut])
def stages(request: ApiRequest, uscc: str) -> list[dict[str, Any]]:
    """The enterprise's transformation stage by year, in year order: each year's latest record and its source
    (SPEC §2: kept by year, never overwritten)."""
    user = request.auth
    enterprise = selectors.access_enterprise(user=user, uscc=uscc, related=False)
    stage_names, source_names = dict(Stage.choices), dict(StageSource.choices)
    return [
        {"year": r.year, "stage": r.stage, "stage_name": str(stage_names.get(r.stage, r.stage)), "source": r.source,
         "source_name": str(source_names.get(r.source, r.source)), "reference": r.reference,
         "recorded_at": r.recorded_at}
        for r in selectors.stage_history(user=user, enterprise=enterprise)
    ]


@router.get("/enterprises/{uscc}/indicators", response=list[IndicatorOut])
def indicators(request: ApiRequest, uscc: str, monthly: bool = False) -> list[dict[str, Any]]:
    user = request.auth
    enterprise = selectors.access_enterprise(user=user, uscc=uscc)
    return [indicator_out(r) for r in selectors.indicator_list(user=user, enterprise=enterprise, monthly=monthly)]


@router.put("/enterprises/{uscc}/indicators/{year}", response=IndicatorOut)
def indicator_put(
    request: ApiRequest, uscc: str, year: int, payload: IndicatorValues, month: int = 0
) -> dict[str, Any]:
    user = request.auth
    enterprise = selectors.access_enterprise(user=user, uscc=uscc)
    row = services.indicator_put(by=user, enterprise=enterprise, year=year, month=month, data=payload.model_dump())
    return indicator_out(row)


@router.post("/imports", response={201: ImportCreated})
def import_create(request: ApiRequest, file: File[UploadedFile], dry_run: Form[bool] = False) -> Status[dict[str, Any]]:
    job = import_job_create(by=request.auth, upload=file, dry_run=dry_run)
    return Status(201, {"id": job.id})


@router.get("/imports/{job_id}", response=ImportOut)
def import_detail(request: ApiRequest, job_id: int) -> dict[str, Any]:
    job = selectors.import_job_get(user=request.auth, job_id=job_id)
    return {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "dry_run": job.dry_run,
        "filename": job.filename,
        # The reasons in the reader's language; `column` stays the column's code.
        "errors": [{**e, "message": shown.message} for e, shown in zip(job.errors, shown_errors(job), strict=True)],
        "summary": job.summary,
    }
