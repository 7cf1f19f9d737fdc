"""Indexes on the size and stage ranks (large first; most advanced stage first) with the name, so that the
enterprise list sorted by them walks an index instead of sorting 100,000 rows. The expressions are
exactly those of zhigai.base.selectors.SIZE_RANK / STAGE_RANK (written out: migrations must not change
when code does)."""

from django.db import migrations

SIZE = (
    "CASE \"size_class\" WHEN 'large' THEN 0 WHEN 'medium' THEN 1 WHEN 'small' THEN 2 "
    "WHEN 'micro' THEN 3 ELSE 9 END"
)
STAGE = (
    "CASE \"stage\" WHEN 'intelligentization' THEN 0 WHEN 'networking' THEN 1 WHEN 'digitization' THEN 2 "
    "WHEN 'automation' THEN 3 WHEN 'mechanization' THEN 4 ELSE 9 END"
)


class Migration(migrations.Migration):
    dependencies = [("base", "0002_initial")]
    operations = [
        migrations.RunSQL(
            f'CREATE INDEX "base_enterprise_size_rank" ON "base_enterprise" (({SIZE}), "name", "id")',
            'DROP INDEX "base_enterprise_size_rank"',
        ),
        migrations.RunSQL(
            f'CREATE INDEX "base_enterprise_stage_rank" ON "base_enterprise" (({STAGE}), "name", "id")',
            'DROP INDEX "base_enterprise_stage_rank"',
        ),
    ]
