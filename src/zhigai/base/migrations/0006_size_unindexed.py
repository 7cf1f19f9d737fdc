"""Size class in no index, room in each page of the enterprise table, and the stage rank index declared.

After an import every enterprise's size is derived again (services.enterprise_refresh_derived). With size
class in two indexes and pages packed full, each changed row was written anew with an entry in all eleven
indexes of the table: on a first load of 100,000 enterprises that one UPDATE took longer than loading them.
Unindexed, and with half of each page left free (PostgreSQL's documented fillfactor storage parameter,
"smaller fillfactors are appropriate for heavily updated tables"), the new version stays in its page and no
index is touched (a HOT update). The list sorted or filtered by size sorts the rows it keeps instead.
SQLite has no fillfactor; it gains from the unindexed column alone.

The rank indexes of 0003 were made by RunSQL, unknown to Django, and SQLite's rebuild of the table in 0005
dropped them (IF EXISTS below): the stage rank index is now declared on the model, which rebuilds keep.
"""

import django.db.models.expressions
from django.db import migrations, models

STAGE = (
    "CASE \"stage\" WHEN 'intelligentization' THEN 0 WHEN 'networking' THEN 1 WHEN 'digitization' THEN 2 "
    "WHEN 'automation' THEN 3 WHEN 'mechanization' THEN 4 ELSE 9 END"
)


def _fillfactor(percent: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE "base_enterprise" SET (fillfactor = {percent})')

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("base", "0005_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="enterprise",
            name="base_enterp_size_cl_95349f_idx",
        ),
        migrations.RunSQL('DROP INDEX IF EXISTS "base_enterprise_size_rank"', migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "base_enterprise_stage_rank"', migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="enterprise",
            index=models.Index(
                django.db.models.expressions.RawSQL(STAGE, ()),
                models.F("name"),
                models.F("id"),
                name="base_enterprise_stage_rank",
            ),
        ),
        migrations.RunPython(_fillfactor(50), _fillfactor(100)),
    ]
