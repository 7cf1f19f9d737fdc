"""Every read of the base data, filtered by what the acting user may see (base/policy.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zhigai.core.bulk import in_values
from zhigai.core.cache import cached_figures
from zhigai.core.models import AuditLog
from zhigai.core.policy import permitted, require
from zhigai.core.types import Actor

from .models import (
    STAGE_RANKED,
    Cluster,
    Enterprise,
    ImportJob,
    Indicator,
    Industry,
    Region,
    RegionLevel,
    SizeClass,
    Stage,
    StageRecord,
    Tag,
    rank_sql,
)
from .policy import ENTERPRISE_VIEW, Scope, enterprise_scope, region_subtree_ids
from .search import name_matches
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
STAGE_RANK = RawSQL(rank_sql("stage", STAGE_RANKED, table="base_enterprise"), ())
RANKED_SORTS = {
    "-size": SIZE_RANK.asc(),
    "size": SIZE_RANK.desc(),
    "-stage": STAGE_RANK.asc(),
    "stage": STAGE_RANK.desc(),
}


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
        # One parameter however many a grant opens (a bank's contracts may number tens of thousands).
        qs = qs.filter(id__in=in_values(sorted(scope.enterprise_ids)))
    return qs


def region_codes_below(code: str) -> list[int]:
    """Ids of the region with this code and every region under it (empty when the code is unknown)."""

    def compute() -> list[int]:
        region = Region.objects.filter(code=code).first()
        return sorted(region_subtree_ids(region.id)) if region else []

    return cached_figures(("below", code), compute, areas=("reference",))


def tag_q(code: str, prefix: str = "") -> Q:
    """Enterprises carrying the tag (docs/figures.md): their own tags when they have any, otherwise their
    industry's, which are only the default (the statistics office's lists cut across divisions).

    `prefix` reaches the enterprise from another model ("enterprise__" for indicators). Written with
    subqueries (Exists), so it never multiplies rows the way a join on the tags would.
    """
    enterprise_id = f"{prefix.removesuffix('__')}_id" if prefix else "id"
    own = Enterprise.tags.through.objects.filter(enterprise_id=OuterRef(enterprise_id))
    default = Industry.tags.through.objects.filter(industry_id=OuterRef(f"{prefix}industry_id"), tag__code=code)
    return Q(Exists(own.filter(tag__code=code))) | (~Q(Exists(own)) & Q(Exists(default)))


def enterprise_list(*, user: Actor, filters: EnterpriseFilters | None = None) -> QuerySet[Enterprise]:
    f = filters or EnterpriseFilters()
    qs = scoped_enterprises(enterprise_scope(user))
    q = f.q.strip()
    if q:
        compact = q.replace(" ", "").upper()
        if len(compact) == 18 and compact.isascii() and compact.isalnum():
            qs = qs.filter(uscc=compact)
        elif compact.isalnum() and compact.isascii() and len(compact) >= 6:
            qs = qs.filter(Q(uscc__startswith=compact) | Q(*name_matches(q)))
        else:
            qs = qs.filter(*name_matches(q))
    if f.region:
        qs = qs.filter(region_id__in=region_codes_below(f.region))
    if f.industry:
        qs = qs.filter(industry__code=f.industry)
    if f.size:
        qs = qs.filter(size_class=f.size)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.tag:
        qs = qs.filter(tag_q(f.tag))
    order = RANKED_SORTS.get(f.sort) or SORTS.get(f.sort, "name")
    return qs.order_by(order, "name", "id")


def _check(user: Actor, enterprise: Enterprise, permission: str = ENTERPRISE_VIEW) -> None:
    """Http404 unless the user has `permission` on the enterprise; for selectors handed an object, not a
    code, so that an object obtained elsewhere cannot leak through them."""
    if not permitted(user, permission, enterprise):
        raise Http404


def enterprise_count(*, user: Actor, filters: EnterpriseFilters) -> int:
    """How many enterprises the list shows; cached until enterprises or reference data change (counting
    100,000 rows is the slow part of a list page; the tag filter goes through industries' tags)."""
    key = ("count", enterprise_scope(user).key, repr(dataclasses.astuple(filters)[:-1]))  # the sort does not matter
    return cached_figures(key, lambda: enterprise_list(user=user, filters=filters).order_by().count(),
                          areas=("enterprises", "reference"))


def access_enterprise(*, user: Actor, uscc: str, action: str = "view", related: bool = True) -> Enterprise:
    """The enterprise with this code if the user may see it and do `action` to it.

    Http404 when the user may not see it (the same answer as for a missing enterprise or a bad code);
    PermissionDenied (403) when it sees it but may not do `action` — an enterprise action of the base
    policy ("change", "classify", …) or any module's full permission tested on the enterprise
    ("diagnosis.assessment.diagnose").

    related=False leaves out its region, industry and cluster, for a page that labels them from
    reference_labels() (joining four tables costs more than the lookup of one row).
    """
    try:
        code = normalize_uscc(uscc)
    except USCCError:
        raise Http404 from None
    if related:
        qs = Enterprise.objects.select_related("region", "region__parent", "industry", "cluster").order_by()
        found = next(iter(qs.filter(uscc=code)[:1]), None)
    else:
        found = Enterprise.objects.filter(uscc=code).order_by().first()
    if found is None or not permitted(user, ENTERPRISE_VIEW, found):
        raise Http404
    if action != "view":
        permission = action if "." in action else f"base.enterprise.{action}"
        require(user, permission, found, message=_("您无权对该企业进行此操作。"))
    return found


@dataclass(frozen=True)
class EnterprisePage:
    """What the enterprise page shows of one enterprise, read in one query each."""

    enterprise: Enterprise
    years: list[Indicator]  # annual indicators, in year order
    tag_ids: list[int]  # their names are in reference_labels()["tag_names"]
    history: list[AuditLog]  # newest first
    stages: list[StageRecord]  # the stage of each year recorded, in year order (stage_history)
    # Its tags are its industry's, by default (tag_q): it has none of its own.
    tags_by_default: bool = False


def enterprise_page(*, user: Actor, uscc: str) -> EnterprisePage:
    """The enterprise with this code, its annual indicators, tag ids and latest history, if the user may
    see it (Http404 otherwise). Region, industry and cluster are labelled from reference_labels().

    Whether it has any history comes with its row (an EXISTS on the audit trail's subject index), so the
    page of an enterprise without any — most of them — makes no query for it."""
    try:
        code = normalize_uscc(uscc)
    except USCCError:
        raise Http404 from None
    has_history = Exists(_history_of(OuterRef("uscc")))
    found = Enterprise.objects.filter(uscc=code).annotate(has_history=has_history).order_by().first()
    if found is None:
        raise Http404
    _check(user, found)
    # Its own tags, or else its industry's, which count for it by default (tag_q).
    own = enterprise_tag_ids(user=user, enterprise=found)
    default = [] if own else list(Industry.tags.through.objects.filter(industry_id=found.industry_id)
                                  .values_list("tag_id", flat=True))
    return EnterprisePage(
        enterprise=found,
        years=indicator_years(user=user, enterprise=found) if permitted(user, "base.indicator.view", found) else [],
        tag_ids=own or default,
        tags_by_default=not own and bool(default),
        history=enterprise_history(user=user, enterprise=found) if found.has_history else [],
        stages=stage_history(user=user, enterprise=found),
    )


def own_enterprise_page(*, user: Actor) -> EnterprisePage | None:
    """The page of the user's own enterprise (an enterprise user's home), or None when it has none."""
    enterprise_id = getattr(user, "enterprise_id", None)
    uscc = Enterprise.objects.filter(id=enterprise_id).values_list("uscc", flat=True).first() \
        if enterprise_id else None
    return enterprise_page(user=user, uscc=uscc) if uscc else None


def enterprise_tag_ids(*, user: Actor, enterprise: Enterprise) -> list[int]:
    """Ids of the enterprise's tags (their names are in reference_labels()["tag_names"])."""
    _check(user, enterprise)
    through = Enterprise.tags.through.objects.filter(enterprise_id=enterprise.id)
    return list(through.values_list("tag_id", flat=True))


def stage_history(*, user: Actor, enterprise: Enterprise) -> list[StageRecord]:
    """The enterprise's stage in each year it has a record of, in year order: per year its latest record
    (year, stage, source, reference, recorded_at), the earlier ones of that year kept but not its stage.

    Http404 for an enterprise the user may not see. One query: every record of the enterprise, few (a
    year's record is only added when its stage changes), the last of each year kept."""
    _check(user, enterprise)
    latest: dict[int, StageRecord] = {}
    for record in StageRecord.objects.filter(enterprise_id=enterprise.id).order_by("year", "recorded_at", "id"):
        latest[record.year] = record
    return list(latest.values())


def indicator_years(*, user: Actor, enterprise: Enterprise) -> list[Indicator]:
    """The enterprise's annual indicators in year order (indicator_list, for the enterprise page)."""
    _check(user, enterprise, "base.indicator.view")
    return list(Indicator.objects.filter(enterprise_id=enterprise.id, month=0).order_by("year"))


def indicator_list(*, user: Actor, enterprise: Enterprise, monthly: bool = False) -> QuerySet[Indicator]:
    _check(user, enterprise, "base.indicator.view")
    qs = Indicator.objects.filter(enterprise=enterprise)
    return qs if monthly else qs.filter(month=0)


def reference_labels() -> dict[str, Any]:
    """Option lists and labels of regions, industries and tags in the current language: reference data
    read on every list page, so built once per language and version of the reference data."""

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

    return cached_figures(("labels", get_language()), build, areas=("reference",))


def region_options_html(*, user: Actor) -> str:
    """The region filter's options: the user's jurisdiction (its region subtree) only, so a city officer
    is not offered the province's other cities; every region for users not limited by region."""
    region_ids = enterprise_scope(user).region_ids
    labels = reference_labels()
    if region_ids is None:
        return str(labels["region_options_html"])

    def build() -> str:
        codes = region_codes_in(region_ids)
        return str(format_html_join("", '<option value="{}">{}</option>',
                                    (o for o in labels["region_options"] if o[0] in codes)))

    return cached_figures(("region-options", get_language(), enterprise_scope(user).key), build,
                          areas=("reference", "access"))


def region_codes_in(region_ids: frozenset[int]) -> frozenset[str]:
    return frozenset(Region.objects.filter(id__in=sorted(region_ids)).values_list("code", flat=True))


def region_filter_allowed(*, user: Actor, code: str) -> bool:
    """Whether a region filter's code lies in the user's jurisdiction (always, for users not limited by
    region: an unknown code then simply matches nothing)."""
    region_ids = enterprise_scope(user).region_ids
    if not code or region_ids is None:
        return True
    found = region_of_code(code)
    return found is not None and found.id in region_ids


def region_of_code(code: str) -> Region | None:
    return cached_figures(("region-code", code), lambda: Region.objects.filter(code=code).first(),
                          areas=("reference",))


def region_of(region_id: int | None) -> Region | None:
    """A region by id from the cached reference data (the header names the user's region on every page)."""
    if region_id is None:
        return None
    return cached_figures(("region", region_id), lambda: Region.objects.filter(id=region_id).first(),
                          areas=("reference",))


def region_list() -> QuerySet[Region]:
    """Regions are public reference data: everyone may list them."""
    return Region.objects.select_related("parent").order_by("code")


def industry_list() -> QuerySet[Industry]:
    return Industry.objects.prefetch_related("tags").order_by("code")


def region_get(*, user: Actor, code: str) -> Region:
    """A region whose page the user may open: one inside their scope (or any, for unrestricted users)."""
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None or not permitted(user, "base.region.view", region):
        raise Http404
    return region


def import_job_get(*, user: Actor, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(id=job_id).first()
    if job is None or not permitted(user, "base.import.view", job):
        raise Http404
    return job


def enterprise_history(*, user: Actor, enterprise: Enterprise, limit: int = 50) -> list[AuditLog]:
    """The latest audit entries of the enterprise and its indicators, newest first; none for a user who
    sees the enterprise only through a grant (the trail names who changed what)."""
    _check(user, enterprise)
    if not permitted(user, "base.enterprise.history", enterprise):
        return []
    return list(_history_of(enterprise.uscc).order_by("-at", "-id")[:limit])


def _history_of(uscc: Any) -> QuerySet[AuditLog]:
    return AuditLog.objects.filter(subject=uscc, entity__in=("enterprise", "indicator", "stage"))


def import_job_list(*, user: Actor) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.all()
    return qs if user.is_superuser else qs.filter(created_by_id=user.pk)


# --- comparison cells: enterprises like one another, for figures published only as aggregates ----------------
# A cell is (industry division id, size class, city id): the division is the industry's own when it is a
# division, its parent when it is a finer class; the city is the county's parent (an enterprise registered
# at city level is that city's). The size class is the enterprise's current one (derived from its latest
# indicators). The market's track record compares a provider's clients with the enterprises of their cells.

Cell = tuple[int, str, int]
_CELL_FIELDS = ("industry_id", "industry__parent_id", "region_id", "region__parent_id", "region__level", "size_class")


def _cell(row: dict[str, Any], prefix: str = "") -> Cell:
    region_level = row[f"{prefix}region__level"]
    city = row[f"{prefix}region_id"] if region_level != RegionLevel.COUNTY else row[f"{prefix}region__parent_id"]
    return (row[f"{prefix}industry__parent_id"] or row[f"{prefix}industry_id"], row[f"{prefix}size_class"], city)


def enterprise_cells(enterprise_ids: Iterable[int]) -> dict[int, Cell]:
    """Each enterprise's comparison cell, by id (one query). No user: for computed figures that publish
    no enterprise's own data (callers show aggregates only)."""
    rows = Enterprise.objects.filter(id__in=in_values(sorted(set(enterprise_ids)))).values("id", *_CELL_FIELDS)
    return {row["id"]: _cell(row) for row in rows}


def annual_panel(*, cells: Iterable[Cell], years: Iterable[int], fields: Sequence[str],
                 enterprise_ids: Iterable[int] | None = None,
                 exclude: QuerySet[Any] | None = None) -> dict[int, tuple[Cell, dict[int, dict[str, Any]]]]:
    """The annual indicators (`fields`, of the years given) of the enterprises of these cells — only those of
    `enterprise_ids` when given, none of the ids `exclude` (a values_list query) yields — as
    {enterprise id: (its cell, {year: {field: value}})}. One query. No user, as enterprise_cells."""
    wanted = set(cells)
    if not wanted:
        return {}
    divisions = sorted({c[0] for c in wanted})
    cities = sorted({c[2] for c in wanted})
    qs = Indicator.objects.filter(
        Q(enterprise__industry_id__in=divisions) | Q(enterprise__industry__parent_id__in=divisions),
        Q(enterprise__region_id__in=cities) | Q(enterprise__region__parent_id__in=cities),
        month=0, year__in=sorted(set(years)), enterprise__size_class__in=sorted({c[1] for c in wanted}))
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=in_values(sorted(set(enterprise_ids))))
    if exclude is not None:
        qs = qs.exclude(enterprise_id__in=exclude)
    out: dict[int, tuple[Cell, dict[int, dict[str, Any]]]] = {}
    for row in qs.values("enterprise_id", "year", *fields, *(f"enterprise__{f}" for f in _CELL_FIELDS)):
        cell = _cell(row, "enterprise__")
        if cell in wanted:  # the query's filters are each cell's parts, not the cells themselves
            out.setdefault(row["enterprise_id"], (cell, {}))[1][row["year"]] = {f: row[f] for f in fields}
    return out
