"""The stages an import file gives, by enterprise and year (SPEC §2: the stage is kept by year).

The enterprise table gives a stage for its `stage_year` (this year when blank), the indicator table one for
each row's year. One enterprise's year may be given by many rows (monthly rows, both tables) but only with
one stage: a different one is an error of the later row.

What the whole file needs at once stays small. An enterprise table's rows are found by code anyway (to find
a code given twice): that map's value packs the row number with the stage and year it gives, so the
enterprise table's stages cost nothing more. An indicator table's stages are kept as an int per enterprise
and year (the importer's period numbers); their rows wait in a temporary file.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from zhigai.core.bulk import in_values
from zhigai.core.models import User
from zhigai.core.phrases import Phrase

from .models import STAGE_ORDER, Enterprise, StageSource
from .services import stage_records_bulk
from .spool import Spool

NO_STAGE = 7  # the stage index of a row that gives none
_YEAR_BITS = 14


def default_stage_year() -> int:
    """The year of a stage given without one: the year the file is imported in."""
    return timezone.localdate().year


def enterprise_row(number: int, stage: str | None, year: int) -> int:
    """An enterprise row's number, and the stage and year it gives, as one int (FileStages.row_number)."""
    index = NO_STAGE if stage is None else STAGE_ORDER.index(stage)
    return (number << (_YEAR_BITS + 3)) | (year << 3) | index


def _conflict(row: int, year: int, stage: str) -> Phrase:
    return Phrase(gettext_noop("与第%(n)d行给出的%(y)d年改造阶段（%(s)s）不同：一年只能有一个阶段"),
                  {"n": row, "y": year, "s": stage})


class FileStages:
    """(enterprise, year) -> stage as the file's rows give them, each year once."""

    def __init__(self) -> None:
        self.enterprise_tables: list[dict[str, int]] = []  # code -> enterprise_row(), per enterprise table
        # An indicator table's stages: the importer's number of (enterprise, year) -> the row (<< 3) and the
        # stage's index; the rows themselves, each enterprise and year once, in the temporary file.
        self._given: dict[int, int] = {}
        self._pending: list[tuple[str, int, str]] = []
        self.rows = Spool()

    @staticmethod
    def row_number(packed: int) -> int:
        return packed >> (_YEAR_BITS + 3)

    def __len__(self) -> int:
        """How many stages the file's rows give (an enterprise's year given in both tables counts twice)."""
        given = sum(packed & 7 != NO_STAGE for table in self.enterprise_tables for packed in table.values())
        return given + len(self.rows) + len(self._pending)

    def _enterprise_stage(self, uscc: str, year: int) -> tuple[int, str] | None:
        """(row, stage) of an enterprise table that gives the enterprise's stage in `year`."""
        for table in self.enterprise_tables:
            packed = table.get(uscc)
            if packed is not None and packed & 7 != NO_STAGE and (packed >> 3) & ((1 << _YEAR_BITS) - 1) == year:
                return self.row_number(packed), STAGE_ORDER[packed & 7]
        return None

    def conflict(self, key: int, uscc: str, year: int, stage: str) -> Phrase | None:
        """What is wrong with an indicator row giving `stage` for the enterprise and year numbered `key`:
        another stage given for them by an earlier row; None when it may be taken."""
        earlier = self._enterprise_stage(uscc, year)
        if earlier is not None and earlier[1] != stage:
            return _conflict(earlier[0], year, earlier[1])
        given = self._given.get(key)
        if given is not None and STAGE_ORDER[given & 7] != stage:
            return _conflict(given >> 3, year, STAGE_ORDER[given & 7])
        return None

    def add(self, key: int, uscc: str, year: int, stage: str, row: int) -> None:
        """Take an indicator row's stage that conflict() allowed (a year given again adds nothing)."""
        if key not in self._given:
            self._given[key] = (row << 3) | STAGE_ORDER.index(stage)
            self._pending.append((uscc, year, stage))

    def fits(self, keys: Sequence[int], usccs: Sequence[str], years: Sequence[int],
             stages: Sequence[str | None]) -> bool:
        """Whether an indicator chunk's stages (None where a row gives none) agree with each other and with
        the earlier rows' (conflict() for each, at once, taking nothing)."""
        seen: dict[int, str] = {}
        for key, uscc, year, stage in zip(keys, usccs, years, stages, strict=True):
            if stage is None:
                continue
            if seen.setdefault(key, stage) != stage or self.conflict(key, uscc, year, stage) is not None:
                return False
        return True

    def flush(self) -> None:
        """Move the indicator rows' stages taken so far to the temporary file (once per chunk)."""
        self.rows.add(self._pending)
        self._pending = []

    def indicator_stages(self) -> Iterator[tuple[str, int, str]]:
        self.flush()
        return iter(self.rows)

    def close(self) -> None:
        self.rows.close()


def stages_write(indicator_stages: Iterable[tuple[str, int, str]], enterprises: Iterable[dict[str, Any]], *,
                 user: User, filename: str, created: Collection[str]) -> int:
    """The file's stages as stage records (source import, the file's name as reference): one bulk write
    (services.stage_records_bulk). `indicator_stages` are FileStages.indicator_stages(), `enterprises` the
    enterprise table's clean rows, `created` the codes the write created. A year both tables give (with the
    same stage, or pass 1 refused the file) is recorded once."""
    given = {(e["uscc"], e["stage_year"]): e["stage_given"] for e in enterprises if "stage_given" in e}
    given.update({(uscc, year): stage for uscc, year, stage in indicator_stages})
    found = Enterprise.objects.filter(uscc__in=in_values({uscc for uscc, _year in given})).order_by()
    ids = dict(found.values_list("uscc", "id"))
    rows = ((ids[uscc], uscc, year, stage, filename) for (uscc, year), stage in given.items())
    # The file's new enterprises need no entry per stage: their creation's entry names the file (and the
    # stage), their records the file and year; a first load writes one entry per enterprise, not two.
    return stage_records_bulk(by=user, rows=rows, source=StageSource.IMPORT, summary=filename, unaudited=created)
