"""Every read of the base data, filtered by what the acting user may see (base/policy.py)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from zhigai.core.cache import cached_figures, language_key
from zhigai.core.models import AuditLog
from zhigai.core.policy import permitted, require
from zhigai.core.rawsql import RawModel, fetch_rows, quote

from .models import (
    Cluster,
    Enterprise,
    ImportJob,
    Indicator,
    Industry,
    Region,
    RegionLevel,
    SizeClass,
    Stage,
    Tag,
    rank_sql,
)
from .policy import ENTERPRISE_VIEW, Scope, enterprise_scope, region_subtree_ids
from .uscc import USCCError, normalize_uscc

SORTS = {
    "name": "name",
    "-name": "-name",
    "uscc": "uscc",
    "-uscc": "-uscc",
    "region": "region__code",
    "-region": "-region__code",
    "industry": "industry__code",
    "-industry": "-industry__code",
}
# Size and stage sort by their rank (large first; the most advanced stage first), not by their code's text.
# The same SQL as the expression indexes of migration base 0003, so the database sorts by walking them.
SIZE_RANK = RawSQL(rank_sql("size_class", [s.value for s in SizeClass], table="base_enterprise"), ())
STAGE_RANK = RawSQL(rank_sql("stage", [s.value for s in reversed(Stage)], table="base_enterprise"), ())
RANKED_SORTS = {
    "-size": SIZE_RANK.asc(),
    "size": SIZE_RANK.desc(),
    "-stage": STAGE_RANK.asc(),
    "stage": STAGE_RANK.desc(),
}


# The enterprise page's reads as plain statements (core.rawsql): building the equivalent ORM queries took
# longer than running them, several times over on every page. Names come from the models, so the
# statements follow them.
_q = quote
_ENTERPRISE = RawModel(Enterprise)
_INDICATOR = RawModel(Indicator)
_AUDIT = RawModel(AuditLog)
_TAG_TABLE = _q(Enterprise.tags.through._meta.db_table)
# The enterprise's tag ids come with its row, as text "3,7" (one round trip fewer on every page view).
_TAG_LIST = (
    f"(SELECT {'string_agg(t.tag_id::text' if connection.vendor == 'postgresql' else 'group_concat(t.tag_id'}, ',') "
    f"FROM {_TAG_TABLE} t WHERE t.enterprise_id = e.id) AS {_q('zhigai_tag_list')}"
)
# Whether it has any history, so that the page of an enterprise without any (most) needs no query for it.
_HAS_HISTORY = (
    f"EXISTS (SELECT 1 FROM {_q(AuditLog._meta.db_table)} a WHERE a.{_q('subject')} = e.{_q('uscc')} "
    f"AND a.{_q('entity')} IN ('enterprise', 'indicator')) AS {_q('zhigai_has_history')}"
)
# The enterprise with its annual indicators, one row per year (one row of NULL indicator columns when it
# has none): the page needs both, and one round trip instead of two.
_ENTERPRISE_SQL = (
    f"SELECT {_ENTERPRISE.columns('e')}, {_TAG_LIST}, {_HAS_HISTORY}, {_INDICATOR.columns('i')} "
    f"FROM {_ENTERPRISE.table} e LEFT JOIN {_INDICATOR.table} i "
    f"ON i.{_q('enterprise_id')} = e.{_q('id')} AND i.{_q('month')} = 0 "
    f"WHERE e.{_q('uscc')} = %s ORDER BY i.{_q('year')}"
)
_YEARS_SQL = (
    f"SELECT {_INDICATOR.columns()} FROM {_INDICATOR.table} "
    f"WHERE {_q('enterprise_id')} = %s AND {_q('month')} = 0 ORDER BY {_q('year')}"
)
_TAGS_SQL = f"SELECT {_q('tag_id')} FROM {_TAG_TABLE} WHERE {_q('enterprise_id')} = %s"
_HISTORY_SQL = (
    f"SELECT {_AUDIT.columns()} FROM {_AUDIT.table} "
    f"WHERE {_q('subject')} = %s AND {_q('entity')} IN ('enterprise', 'indicator') "
    f"ORDER BY {_q('at')} DESC, {_q('id')} DESC LIMIT %s"
)


@dataclass
class EnterpriseFilters:
    q: str = ""
    region: str = ""  # any region code: province, city or county
    industry: str = ""
    size: str = ""
    stage: str = ""
    tag: str = ""
    sort: str = "name"


def scoped_enterprises(scope: Scope) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.all()
    if scope.sees_nothing:
        return qs.none()
    if scope.region_ids is not None:
        qs = qs.filter(region_id__in=scope.region_ids)
    if scope.industry_ids is not None:
        qs = qs.filter(industry_id__in=scope.industry_ids)
    if scope.enterprise_ids is not None:
        qs = qs.filter(id__in=scope.enterprise_ids)
    return qs


def region_codes_below(code: str) -> list[int]:
    """Ids of the region with this code and every region under it (empty when the code is unknown)."""

    def compute() -> list[int]:
        region = Region.objects.filter(code=code).first()
        return sorted(region_subtree_ids(region.id)) if region else []

    return cached_figures(("below", code), compute)


def enterprise_list(*, user: Any, filters: EnterpriseFilters | None = None) -> QuerySet[Enterprise]:
    f = filters or EnterpriseFilters()
    qs = scoped_enterprises(enterprise_scope(user))
    q = f.q.strip()
    if q:
        compact = q.replace(" ", "").upper()
        if len(compact) == 18 and compact.isascii() and compact.isalnum():
            qs = qs.filter(uscc=compact)
        elif compact.isalnum() and compact.isascii() and len(compact) >= 6:
            qs = qs.filter(Q(uscc__startswith=compact) | Q(name__icontains=q))
        elif any(c.isascii() and c.isalpha() for c in q):
            qs = qs.filter(name__icontains=q)
        else:
            qs = qs.filter(name__contains=q)  # Chinese has no case: a plain LIKE, without UPPER() on 100,000 names
    if f.region:
        qs = qs.filter(region_id__in=region_codes_below(f.region))
    if f.industry:
        qs = qs.filter(industry__code=f.industry)
    if f.size:
        qs = qs.filter(size_class=f.size)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.tag:
        qs = qs.filter(Q(tags__code=f.tag) | Q(industry__tags__code=f.tag)).distinct()
    order = RANKED_SORTS.get(f.sort) or SORTS.get(f.sort, "name")
    return qs.order_by(order, "name", "id")


def _check(user: Any, enterprise: Enterprise, permission: str = ENTERPRISE_VIEW) -> None:
    """Http404 unless the user has `permission` on the enterprise; for selectors handed an object, not a
    code, so that an object obtained elsewhere cannot leak through them."""
    if not permitted(user, permission, enterprise):
        raise Http404


def enterprise_count(*, user: Any, filters: EnterpriseFilters) -> int:
    """How many enterprises the list shows; cached per data version (counting 100,000 rows is the slow
    part of a list page)."""
    key = ("count", enterprise_scope(user).key, repr(dataclasses.astuple(filters)[:-1]))  # the sort does not matter
    return cached_figures(key, lambda: enterprise_list(user=user, filters=filters).order_by().count())


def access_enterprise(*, user: Any, uscc: str, action: str = "view", related: bool = True) -> Enterprise:
    """The enterprise with this code if the user may see it and do `action` to it.

    Http404 when the user may not see it (the same answer as for a missing enterprise or a bad code);
    PermissionDenied (403) when it sees it but may not do `action` — an enterprise action of the base
    policy ("change", "classify", …) or any module's full permission tested on the enterprise
    ("diagnosis.assessment.diagnose").

    related=False leaves out its region, industry and cluster, for a page that labels them from
    reference_labels() (joining four tables costs more than the lookup of one row), and brings its tag
    ids, whether it has a history and its annual indicators with the row (see enterprise_tag_ids,
    enterprise_history and indicator_years).
    """
    try:
        code = normalize_uscc(uscc)
    except USCCError:
        raise Http404 from None
    if related:
        qs = Enterprise.objects.select_related("region", "region__parent", "industry", "cluster").order_by()
        found = next(iter(qs.filter(uscc=code)[:1]), None)
    else:
        found = _enterprise_with_years(code)
    if found is None or not permitted(user, ENTERPRISE_VIEW, found):
        raise Http404
    if action != "view":
        permission = action if "." in action else f"base.enterprise.{action}"
        require(user, permission, found, message=_("您无权对该企业进行此操作。"))
    return found


def _enterprise_with_years(code: str) -> Enterprise | None:
    rows = fetch_rows(_ENTERPRISE_SQL, [code])
    if not rows:
        return None
    width = _ENTERPRISE.width
    enterprise: Enterprise = _ENTERPRISE.build(rows[0])
    enterprise.__dict__["zhigai_tag_list"] = rows[0][width]
    enterprise.__dict__["zhigai_has_history"] = bool(rows[0][width + 1])
    start = width + 2
    enterprise.__dict__["zhigai_years"] = [
        _INDICATOR.build(row, start) for row in rows if row[start] is not None  # its id: NULL without a year
    ]
    return enterprise


def enterprise_tag_ids(*, user: Any, enterprise: Enterprise) -> list[int]:
    """Ids of the enterprise's tags (their names are in reference_labels()["tag_names"])."""
    _check(user, enterprise)
    if "zhigai_tag_list" in enterprise.__dict__:  # read with the row by enterprise_get(related=False)
        return [int(pk) for pk in (enterprise.__dict__["zhigai_tag_list"] or "").split(",") if pk]
    with connection.cursor() as cursor:
        cursor.execute(_TAGS_SQL, [enterprise.id])
        return [tag_id for (tag_id,) in cursor.fetchall()]


def indicator_years(*, user: Any, enterprise: Enterprise) -> list[Indicator]:
    """The enterprise's annual indicators in year order (indicator_list, for the enterprise page)."""
    _check(user, enterprise, "base.indicator.view")
    if "zhigai_years" in enterprise.__dict__:  # read with the row by enterprise_get(related=False)
        return list(enterprise.__dict__["zhigai_years"])
    return _INDICATOR.fetch(_YEARS_SQL, [enterprise.id])


def indicator_list(*, user: Any, enterprise: Enterprise, monthly: bool = False) -> QuerySet[Indicator]:
    _check(user, enterprise, "base.indicator.view")
    qs = Indicator.objects.filter(enterprise=enterprise)
    return qs if monthly else qs.filter(month=0)


def reference_labels() -> dict[str, Any]:
    """Option lists and labels of regions, industries and tags in the current language: reference data
    read on every list page, so built once per data version instead of per request."""

    def build() -> dict[str, Any]:
        regions = list(region_list())
        by_id = {r.id: r for r in regions}
        industries = list(Industry.objects.order_by("code"))
        tags = list(Tag.objects.order_by("code"))
        labels: dict[str, Any] = {
            "region_options": [
                (r.code, ("\u00a0\u00a0" if r.level == RegionLevel.COUNTY else "") + r.name) for r in regions
            ],
            "region_labels": {
                r.id: f"{by_id[r.parent_id].name} {r.name}" if r.parent_id in by_id else r.name for r in regions
            },
            "industry_options": [(i.code, f"{i.code} {i.name}") for i in industries],
            "industry_labels": {i.id: f"{i.code} {i.name}" for i in industries},
            "tag_options": [(t.code, t.name) for t in tags],
            # An enterprise page's labels: "city · county (code)", tags (in code order), clusters.
            "region_places": {
                r.id: f"{by_id[r.parent_id].name if r.parent_id in by_id else ''} · {r.name} ({r.code})"
                for r in regions
            },
            "tag_names": {t.id: t.name for t in tags},
            "cluster_names": {c.id: c.name for c in Cluster.objects.all()},
            "sizes": [(k, str(v)) for k, v in SizeClass.choices],
            "stages": [(k, str(v)) for k, v in Stage.choices],
            "size_labels": {k: str(v) for k, v in SizeClass.choices},
            "stage_labels": {k: str(v) for k, v in Stage.choices},
        }
        for name in ("region_options", "industry_options", "tag_options", "sizes", "stages"):
            labels[f"{name}_html"] = str(format_html_join("", '<option value="{}">{}</option>', labels[name]))
        return labels

    return cached_figures(("labels", language_key()), build)


def region_list() -> QuerySet[Region]:
    """Regions are public reference data: everyone may list them."""
    return Region.objects.select_related("parent").order_by("code")


def industry_list() -> QuerySet[Industry]:
    return Industry.objects.prefetch_related("tags").order_by("code")


def region_get(*, user: Any, code: str) -> Region:
    """A region whose page the user may open: one inside their scope (or any, for unrestricted users)."""
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None or not permitted(user, "base.region.view", region):
        raise Http404
    return region


def import_job_get(*, user: Any, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(id=job_id).first()
    if job is None or not permitted(user, "base.import.view", job):
        raise Http404
    return job


def enterprise_history(*, user: Any, enterprise: Enterprise, limit: int = 50) -> list[AuditLog]:
    """The latest audit entries of the enterprise and its indicators, newest first; none for a user who
    sees the enterprise only through a grant (the trail names who changed what)."""
    _check(user, enterprise)
    if not permitted(user, "base.enterprise.history", enterprise):
        return []
    if not enterprise.__dict__.get("zhigai_has_history", True):  # known from enterprise_get(related=False)
        return []
    return _AUDIT.fetch(_HISTORY_SQL, [enterprise.uscc, limit])


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.all()
    return qs if user.is_superuser else qs.filter(created_by=user)
