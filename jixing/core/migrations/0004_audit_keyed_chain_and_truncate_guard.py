"""The audit chain becomes keyed (HMAC with JIXING_AUDIT_KEY) and its head is pinned.

1. Existing rows are re-chained with the key, but only if the old unkeyed chain still
   verifies: a chain that was already tampered with is not laundered; the migration stops
   and names the first broken row (investigate, then restore from backup).
2. A first signed checkpoint records the re-chained head.
3. On PostgreSQL: TRUNCATE of the audit log is refused by a statement trigger (the row
   trigger of migration 0002 never sees a TRUNCATE), and checkpoints refuse UPDATE, DELETE
   and TRUNCATE. Test databases (and `manage.py flush`) may truncate only with the session
   setting ``jixing.allow_audit_truncate = on`` (see conftest.py), which production never sets.
"""

import hashlib
import json

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION jixing_audit_no_truncate() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('jixing.allow_audit_truncate', true), '') <> 'on' THEN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: TRUNCATE refused';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER jixing_audit_no_truncate BEFORE TRUNCATE ON core_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION jixing_audit_no_truncate();
CREATE TRIGGER jixing_checkpoint_no_truncate BEFORE TRUNCATE ON core_auditcheckpoint
  FOR EACH STATEMENT EXECUTE FUNCTION jixing_audit_no_truncate();
CREATE OR REPLACE FUNCTION jixing_checkpoint_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'core_auditcheckpoint is append-only';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER jixing_checkpoint_append_only BEFORE UPDATE OR DELETE ON core_auditcheckpoint
  FOR EACH ROW EXECUTE FUNCTION jixing_checkpoint_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS jixing_checkpoint_append_only ON core_auditcheckpoint;
DROP FUNCTION IF EXISTS jixing_checkpoint_append_only();
DROP TRIGGER IF EXISTS jixing_checkpoint_no_truncate ON core_auditcheckpoint;
DROP TRIGGER IF EXISTS jixing_audit_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS jixing_audit_no_truncate();
"""


def _canonical(row) -> str:
    """The row's content as hashed (frozen copy of AuditEvent.canonical at this migration)."""
    body = {
        "at": row.at.isoformat(),
        "actor": row.actor_id,
        "actor_label": row.actor_label,
        "ip": row.ip,
        "event": row.event,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "object_label": row.object_label,
        "outcome": row.outcome,
        "before": row.before,
        "after": row.after,
        "detail": row.detail,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)


def rechain(apps, schema_editor):
    from jixing.core.models import audit_mac

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditCheckpoint = apps.get_model("core", "AuditCheckpoint")
    postgres = schema_editor.connection.vendor == "postgresql"
    rows = list(AuditEvent.objects.order_by("id"))
    prev = None
    for row in rows:  # the old chain must verify before it is re-signed
        unkeyed = hashlib.sha256((row.prev_hash + _canonical(row)).encode()).hexdigest()
        if unkeyed != row.hash or (prev is not None and row.prev_hash != prev):
            raise RuntimeError(
                f"Audit row {row.id} does not verify under the old unkeyed chain; refusing to re-sign "
                "a tampered log. Run `manage.py verify_audit` on the previous release and investigate."
            )
        prev = row.hash
    if postgres:
        schema_editor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER jixing_audit_append_only")
    prev = None
    for row in rows:
        if prev is not None:
            row.prev_hash = prev
        row.hash = audit_mac(row.prev_hash + _canonical(row))
        prev = row.hash
    AuditEvent.objects.bulk_update(rows, ["prev_hash", "hash"], batch_size=1000)
    if postgres:
        schema_editor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER jixing_audit_append_only")
    if rows:
        from django.utils import timezone

        at = timezone.now()
        last = rows[-1]
        message = f"checkpoint\x00{at.isoformat()}\x00{len(rows)}\x00{last.id}\x00{last.hash}"
        AuditCheckpoint.objects.create(at=at, rows=len(rows), last_id=last.id, head_hash=last.hash,
                                       signature=audit_mac(message))
    if postgres:
        schema_editor.execute(FORWARD)


def unchain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_checkpoint")]
    operations = [migrations.RunPython(rechain, unchain)]
