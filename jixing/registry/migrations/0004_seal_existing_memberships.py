import datetime as dt

from django.db import migrations


def seal_existing(apps, schema_editor):
    """Encrypt every membership's evidence and move sensitive groups out of the clear. Raw SQL:
    the rows still hold plaintext, which the encrypted fields would refuse to read."""
    from jixing.core import crypto

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg.id, pg.person_id, pg.valid_from, pg.evidence, tg.code, tg.sensitive "
            "FROM registry_persongroup pg JOIN registry_targetgroup tg ON tg.id = pg.group_id"
        )
        for pk, person_id, valid_from, evidence, code, sensitive in cursor.fetchall():
            sealed_evidence = crypto.encrypt(evidence, purpose="person_group_evidence") if evidence else ""
            if not sensitive:
                cursor.execute("UPDATE registry_persongroup SET evidence = %s WHERE id = %s", [sealed_evidence, pk])
                continue
            start = valid_from if isinstance(valid_from, dt.date) else dt.date.fromisoformat(str(valid_from))
            key = crypto.blind_index(f"{person_id}|{code}|{start.isoformat()}", purpose="person_group")
            cursor.execute(
                "UPDATE registry_persongroup SET evidence = %s, group_id = NULL, sealed_group = %s, sealed_key = %s "
                "WHERE id = %s",
                [sealed_evidence, crypto.encrypt(code, purpose="person_group"), key, pk],
            )


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0003_seal_sensitive_memberships"),
    ]

    operations = [
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
