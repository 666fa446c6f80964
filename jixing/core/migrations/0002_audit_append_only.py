"""On PostgreSQL, the database itself refuses UPDATE of audit rows and DELETE of rows
younger than the retention period (SECURITY.md C2, C3)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION jixing_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'core_auditevent is append-only';
  END IF;
  IF OLD.at > now() - interval '180 days' THEN
    RAISE EXCEPTION 'audit rows younger than 180 days cannot be deleted';
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER jixing_audit_append_only BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION jixing_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS jixing_audit_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS jixing_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
