"""PostgreSQL guards for the ledger (SECURITY.md G4): postings and their lines are append-only
(UPDATE/DELETE refused by triggers; TRUNCATE, used only by test flushes, is not a row event),
and a DEFERRABLE INITIALLY DEFERRED constraint trigger checks at commit that every posting
has at least two lines summing to zero. On SQLite, ``ledger.post`` and the models' save/delete
guards enforce the same rules and ``verify_ledger`` checks them."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION funds_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only: post a reversal instead', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER funds_posting_append_only BEFORE UPDATE OR DELETE ON funds_posting
    FOR EACH ROW EXECUTE FUNCTION funds_ledger_append_only();
CREATE TRIGGER funds_postingline_append_only BEFORE UPDATE OR DELETE ON funds_postingline
    FOR EACH ROW EXECUTE FUNCTION funds_ledger_append_only();

CREATE OR REPLACE FUNCTION funds_posting_is_balanced(p_id bigint) RETURNS void AS $$
DECLARE
    total numeric;
    n integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, n FROM funds_postingline WHERE posting_id = p_id;
    IF n < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'posting % is unbalanced: % lines summing to %', p_id, n, total
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION funds_check_line_posting() RETURNS trigger AS $$
BEGIN
    PERFORM funds_posting_is_balanced(NEW.posting_id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION funds_check_posting() RETURNS trigger AS $$
BEGIN
    PERFORM funds_posting_is_balanced(NEW.id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER funds_postingline_balanced AFTER INSERT ON funds_postingline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funds_check_line_posting();
CREATE CONSTRAINT TRIGGER funds_posting_balanced AFTER INSERT ON funds_posting
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funds_check_posting();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS funds_posting_balanced ON funds_posting;
DROP TRIGGER IF EXISTS funds_postingline_balanced ON funds_postingline;
DROP TRIGGER IF EXISTS funds_posting_append_only ON funds_posting;
DROP TRIGGER IF EXISTS funds_postingline_append_only ON funds_postingline;
DROP FUNCTION IF EXISTS funds_check_posting();
DROP FUNCTION IF EXISTS funds_check_line_posting();
DROP FUNCTION IF EXISTS funds_posting_is_balanced(bigint);
DROP FUNCTION IF EXISTS funds_ledger_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
