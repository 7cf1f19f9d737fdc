"""The write of an import (pass 2 of importer.py), in one transaction, chunk by chunk as pass 1 kept the
clean rows in its temporary files: no step needs all of a file's rows at once.

Enterprises: each chunk's existing ones are compared first (an entry per changed enterprise), then the
chunk is upserted, and the created ones get an entry each, with the values written. Indicators: rows of
enterprises that had no records before this import go straight in (their periods are counted, and each such
enterprise's history gets one entry when the table is done); rows of enterprises that had records are
compared with them first (an entry per changed record) and upserted. The stages and the derived size
fields come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from zhigai.core.bulk import bulk_upsert, in_values
from zhigai.core.cache import areas_changed
from zhigai.core.models import User

from .import_audit import Gains, enterprise_changes, enterprise_gains, indicator_diffs
from .import_stages import stages_write
from .models import Enterprise, Indicator
from .services import enterprise_refresh_derived

KEY = ["enterprise_id", "year", "month"]
ENTERPRISE_FIELDS = {"name": "name", "region": "region_id", "industry": "industry_id",
                     "founded_year": "founded_year", "cluster": "cluster_id"}  # file column -> table column
FIELD_ORDER = ["name", "region_id", "industry_id", "founded_year", "stage", "cluster_id"]
Row = tuple[str, int, int, Sequence[Any]]  # (uscc, year, month, values as the table stores them)
REFRESH_ALL = 20000  # enterprises given records beyond which the size refresh runs over the whole table


def ids_of(codes: Iterable[str]) -> dict[str, int]:
    return dict(Enterprise.objects.filter(uscc__in=in_values(codes)).order_by().values_list("uscc", "id"))


class ImportWrite:
    """One import's write: enterprises() for each clean chunk of the enterprise tables, then indicators()
    for each of an indicator table's and table_done() after it, then finish()."""

    def __init__(self, *, user: User, filename: str):
        self.user, self.filename = user, filename
        self.counts = {"enterprises_created": 0, "enterprises_updated": 0}
        self.indicator_counts = {"indicators_created": 0, "indicators_updated": 0}
        self.created: set[str] = set()  # the enterprises this write created
        self.ids: dict[str, int] = {}  # the code of every enterprise given records -> its id
        self._had: set[int] | None = None  # enterprises with records: before the import, then each table's
        self._fresh: set[int] = set()  # this table's enterprises that had none
        self._gained = Gains()

    # --- enterprises ----------------------------------------------------------------------------------

    def enterprises(self, columns: list[str], records: list[dict[str, Any]]) -> None:
        given = {ENTERPRISE_FIELDS[c] for c in columns if c in ENTERPRISE_FIELDS} | {"stage"}
        fields = [f for f in FIELD_ORDER if f in given]
        new = enterprise_changes(user=self.user, records=records, fields=fields, filename=self.filename)
        changed = bulk_upsert(
            table=Enterprise._meta.db_table, key=["uscc"], columns=["uscc", *fields, "size_class",
                                                                    "above_designated_size"],
            rows=[[e["uscc"], *(e[f] for f in fields), "micro", False] for e in records],
            update=fields, new_keys=len(new) == len(records),
        )
        if new:
            created = set(new)
            enterprise_gains(user=self.user, records=[e for e in records if e["uscc"] in created], fields=fields,
                             filename=self.filename)
        self.created.update(new)
        self.counts["enterprises_created"] += len(new)
        self.counts["enterprises_updated"] += changed - len(new)
        if "tags" in columns:
            self._tags(records)

    def _tags(self, records: list[dict[str, Any]]) -> None:
        through = Enterprise.tags.through
        ids = ids_of(e["uscc"] for e in records)
        wanted = {(ids[e["uscc"]], t) for e in records for t in e.get("tag_ids", [])}
        current = set(
            through.objects.filter(enterprise_id__in=in_values(ids.values())).values_list("enterprise_id", "tag_id")
        )
        for enterprise_id, tag_id in current - wanted:
            through.objects.filter(enterprise_id=enterprise_id, tag_id=tag_id).delete()
        through.objects.bulk_create([through(enterprise_id=e, tag_id=t) for e, t in wanted - current],
                                    batch_size=5000)
        areas_changed(through)  # bulk writes send no signals

    # --- indicators -----------------------------------------------------------------------------------

    def indicators(self, columns: list[str], rows: list[Row]) -> None:
        if self._had is None:  # before any record of this import is written
            self._had = set(Indicator.objects.order_by().values_list("enterprise_id", flat=True).distinct())
        unknown = {row[0] for row in rows}.difference(self.ids)
        if unknown:
            self.ids.update(ids_of(unknown))
        ids, had = self.ids, self._had
        fresh = [row for row in rows if ids[row[0]] not in had]
        if fresh:
            self.indicator_counts["indicators_created"] += self._upsert(columns, fresh, new_keys=True)
            self._fresh.update(ids[row[0]] for row in fresh)
            self._gained.add(fresh)
        if len(fresh) < len(rows):
            self._update(columns, [row for row in rows if ids[row[0]] in had])

    def _update(self, columns: list[str], rows: list[Row]) -> None:
        mine = {row[0]: self.ids[row[0]] for row in rows}
        indicator_diffs(user=self.user, rows=rows, columns=columns, ids=mine, filename=self.filename,
                        gained=self._gained)
        theirs = Indicator.objects.filter(enterprise_id__in=in_values(mine.values())).order_by()
        before = theirs.count()
        changed = self._upsert(columns, rows, new_keys=False)
        created = theirs.count() - before
        self.indicator_counts["indicators_created"] += created
        self.indicator_counts["indicators_updated"] += changed - created

    def _upsert(self, columns: list[str], rows: list[Row], *, new_keys: bool) -> int:
        ids = self.ids
        return bulk_upsert(table=Indicator._meta.db_table, key=KEY, columns=[*KEY, *columns],
                           rows=[(ids[u], y, m, *values) for u, y, m, values in rows], update=columns,
                           new_keys=new_keys)

    def table_done(self) -> None:
        """Audit what an indicator table brought (read back for enterprises that had no records, counted for
        the others); a later table's rows of the same enterprises and periods then update them."""
        self._gained.record(self.user, self.filename)
        if self._had is not None:
            self._had.update(self._fresh)
        self._fresh = set()

    # --- the end --------------------------------------------------------------------------------------

    def finish(self, *, stages: bool, indicator_stages: Iterator[tuple[str, int, str]],
               enterprises: Iterable[dict[str, Any]]) -> int:
        """The file's stages as stage records (`stages`: whether the file gives any; those of its indicator
        tables and of its clean enterprise rows), and the size fields of the enterprises given records (size is
        derived from indicators alone: an import of enterprises only leaves it as it was, and a new
        enterprise with no records is rightly at the default). Returns the stages recorded."""
        recorded = stages_write(indicator_stages, enterprises, user=self.user, filename=self.filename,
                                created=self.created) if stages else 0
        if len(self.ids) > REFRESH_ALL:
            enterprise_refresh_derived(ids=None)
        elif self.ids:
            enterprise_refresh_derived(ids=self.ids.values())
        return recorded

    def results(self, recorded: int) -> dict[str, Any]:
        """What the write counted (a plain dict: it crosses from import_pipe's writer to the importer)."""
        return {"counts": self.counts, "indicator_counts": self.indicator_counts, "recorded": recorded}
