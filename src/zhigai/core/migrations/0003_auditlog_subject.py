"""AuditLog.subject: whose history an entry belongs to, filled in for the entries already written."""

from django.db import migrations, models


def fill_subject(apps, schema_editor):
    # One statement, not a loop over rows: the trail may hold millions of entries. The subject is
    # entity_id up to its first "/" (core.audit.audit_subject).
    if schema_editor.connection.vendor == "postgresql":
        sql = "UPDATE core_auditlog SET subject = split_part(entity_id, '/', 1)"
    else:
        sql = (
            "UPDATE core_auditlog SET subject = CASE WHEN instr(entity_id, '/') > 0 "
            "THEN substr(entity_id, 1, instr(entity_id, '/') - 1) ELSE entity_id END"
        )
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_cache_table")]

    operations = [
        migrations.AddField(
            model_name="auditlog",
            name="subject",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(fill_subject, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="auditlog",
            index=models.Index(fields=["subject", "at"], name="core_auditl_subject_cb3682_idx"),
        ),
    ]
