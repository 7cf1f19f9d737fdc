"""PostgreSQL keeps the ledger append-only and balanced itself, whatever writes to it: a posted entry or leg
is never updated or deleted, and at commit every entry's legs sum to zero (at least two of them). SQLite has
no deferred triggers; there ledger.models and ledger.services refuse the same."""

from typing import Any

from django.db import migrations

INSTALL = """
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % of a posted row of % is refused (append-only: post a reversing entry)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER ledger_journal_append_only BEFORE UPDATE OR DELETE ON ledger_journal
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_leg_append_only BEFORE UPDATE OR DELETE ON ledger_leg
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE FUNCTION ledger_assert_balanced(entry bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
    legs integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, legs FROM ledger_leg WHERE journal_id = entry;
    IF total <> 0 OR legs < 2 THEN
        RAISE EXCEPTION 'ledger: entry % is unbalanced (% legs summing to % fen)', entry, legs, total
            USING ERRCODE = 'check_violation';
    END IF;
END $$;
CREATE FUNCTION ledger_leg_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger_assert_balanced(NEW.journal_id);
    RETURN NULL;
END $$;
CREATE FUNCTION ledger_journal_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger_assert_balanced(NEW.id);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_leg_balanced AFTER INSERT ON ledger_leg
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_leg_check();
CREATE CONSTRAINT TRIGGER ledger_journal_balanced AFTER INSERT ON ledger_journal
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_journal_check();
"""

REMOVE = """
DROP TRIGGER IF EXISTS ledger_journal_balanced ON ledger_journal;
DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg;
DROP FUNCTION IF EXISTS ledger_journal_check();
DROP FUNCTION IF EXISTS ledger_leg_check();
DROP FUNCTION IF EXISTS ledger_assert_balanced(bigint);
DROP TRIGGER IF EXISTS ledger_leg_append_only ON ledger_leg;
DROP TRIGGER IF EXISTS ledger_journal_append_only ON ledger_journal;
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""


def _on_postgresql(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # no parameters: the % of RAISE stays as it is

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(INSTALL), _on_postgresql(REMOVE))]
