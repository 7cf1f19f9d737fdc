"""Money columns of base_indicator from decimal yuan to integer fen (models.MoneyField), exactly.

Each column gets a BIGINT twin filled with the fen of its value, then replaces it. PostgreSQL's numeric
is exact, so it converts in SQL. SQLite kept the old values as doubles (some, written as text or whole
numbers, as text or integers): each is read as Python has it and converted through its shortest decimal
spelling (repr), the text SQLite was given for any value of up to 15 significant digits, so none gains or
loses a fen it had; a double beyond that (already rounded by SQLite, like 1e16) becomes its nearest fen.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db import migrations

import zhigai.base.models

MONEY = ["revenue", "output_value", "added_value", "profit", "wage_bill", "industrial_investment",
         "tech_investment", "rd_spending"]
VERBOSE = {
    "revenue": "主营业务收入（元）",
    "output_value": "工业总产值（元）",
    "added_value": "工业增加值（元）",
    "profit": "利润总额（元）",
    "wage_bill": "工资总额（元）",
    "industrial_investment": "工业投资（元）",
    "tech_investment": "技术改造投资（元）",
    "rd_spending": "研发经费（元）",
}


def fen_of(raw: Any) -> int | None:
    """The whole fen of a value as the old decimal column held it (Decimal, int, float or text)."""
    if raw is None:
        return None
    value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw))
    return int(value.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def yuan_of(fen: Any) -> Decimal | None:
    return None if fen is None else Decimal(int(fen)).scaleb(-2)


def _copy(schema_editor: Any, source: str, target: str, convert: Any, sql: str) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE base_indicator SET " + ", ".join(sql.format(s=f'"{c}{source}"', t=f'"{c}{target}"')
                                                                    for c in MONEY))
            return
        cursor.execute("SELECT id, " + ", ".join(f'"{c}{source}"' for c in MONEY) + " FROM base_indicator")
        rows = [(*map(convert, row[1:]), row[0]) for row in cursor.fetchall()]
        assignments = ", ".join(f'"{c}{target}" = %s' for c in MONEY)
        cursor.executemany(f"UPDATE base_indicator SET {assignments} WHERE id = %s", rows)


def to_fen(apps: Any, schema_editor: Any) -> None:
    _copy(schema_editor, "", "_fen", fen_of, "{t} = ({s} * 100)::bigint")


def to_yuan(apps: Any, schema_editor: Any) -> None:
    _copy(schema_editor, "_fen", "", yuan_of, "{t} = {s} / 100.0")


class Migration(migrations.Migration):
    dependencies = [("base", "0003_rank_indexes")]

    operations = [
        *(migrations.AddField("indicator", f"{c}_fen", zhigai.base.models.MoneyField(null=True, blank=True))
          for c in MONEY),
        migrations.RunPython(to_fen, to_yuan),
        *(migrations.RemoveField("indicator", c) for c in MONEY),
        *(migrations.RenameField("indicator", f"{c}_fen", c) for c in MONEY),
        *(migrations.AlterField("indicator", c, zhigai.base.models.MoneyField(VERBOSE[c], null=True, blank=True))
          for c in MONEY),
    ]
