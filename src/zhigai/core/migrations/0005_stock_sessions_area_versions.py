"""Sessions move to Django's own table (django.contrib.sessions, the stock database engine); the one data
version gives way to one version per cache area (core.cache.AREAS)."""

from django.db import migrations


def sessions_to_django(apps, schema_editor):
    # Signed-in browsers stay signed in: the encoded data is the same in both tables.
    Ours = apps.get_model("core", "Session")
    Stock = apps.get_model("sessions", "Session")
    db = schema_editor.connection.alias
    batch = [Stock(session_key=s.session_key, session_data=s.session_data, expire_date=s.expire_date)
             for s in Ours.objects.using(db).iterator()]
    Stock.objects.using(db).bulk_create(batch, batch_size=1000, ignore_conflicts=True)


def sessions_back(apps, schema_editor):
    Ours = apps.get_model("core", "Session")
    Stock = apps.get_model("sessions", "Session")
    db = schema_editor.connection.alias
    batch = [Ours(session_key=s.session_key, session_data=s.session_data, expire_date=s.expire_date)
             for s in Stock.objects.using(db).iterator()]
    Ours.objects.using(db).bulk_create(batch, batch_size=1000, ignore_conflicts=True)


def area_versions(apps, schema_editor):
    # The areas of core.cache.AREAS at this migration (an area added later gets its row when first changed).
    rows = apps.get_model("core", "DataVersion").objects.using(schema_editor.connection.alias)
    rows.filter(name="data").delete()
    for name in ("reference", "enterprises", "indicators", "assessments", "access"):
        rows.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_session"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(sessions_to_django, sessions_back),
        migrations.DeleteModel(name="Session"),
        migrations.RunPython(area_versions, migrations.RunPython.noop),
    ]
