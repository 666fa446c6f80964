"""Attendance partitioned by the month of its session (issue 19; docs/scaling.md).

1. ``session_month`` added, filled from the sessions, made NOT NULL.
2. ``attendance_once_per_session`` becomes (enrollment, session, session_month): the same rule,
   since session_month is a function of the session.
3. PostgreSQL only: the table is rebuilt as ``PARTITION BY RANGE (session_month)`` (monthly
   partitions for the months present and the next three, a DEFAULT partition; primary key
   (id, session_month)), and a trigger moves a session's rows if its start moves to another
   month. SQLite keeps a plain table.
"""

import django.db.models
import django.utils.timezone
from django.db import migrations

import jixing.training.fields
from jixing.training import partitions


def fill_session_month(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE training_attendance a SET session_month = date_trunc('month', s.starts_at AT TIME ZONE "
                "'Asia/Shanghai')::date FROM training_trainingsession s WHERE s.id = a.session_id")
        else:  # Asia/Shanghai has kept UTC+8 without daylight saving since 1991
            cursor.execute(
                "UPDATE training_attendance SET session_month = (SELECT strftime('%Y-%m-01', datetime(s.starts_at, "
                "'+8 hours')) FROM training_trainingsession s WHERE s.id = training_attendance.session_id)")


def partition(apps, schema_editor):
    today = django.utils.timezone.localdate()
    partitions.rebuild(schema_editor.connection, partitioned=True, today=today)
    partitions.install_session_trigger(schema_editor.connection)


def unpartition(apps, schema_editor):
    partitions.drop_session_trigger(schema_editor.connection)
    partitions.rebuild(schema_editor.connection, partitioned=False, today=django.utils.timezone.localdate())


class Migration(migrations.Migration):

    dependencies = [
        ("training", "0008_class_filing"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="session_month",
            field=jixing.training.fields.SessionMonthField(editable=False, null=True, verbose_name="month of the session"),
        ),
        migrations.RunPython(fill_session_month, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attendance",
            name="session_month",
            field=jixing.training.fields.SessionMonthField(editable=False, verbose_name="month of the session"),
        ),
        migrations.RemoveConstraint(model_name="attendance", name="attendance_once_per_session"),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=django.db.models.UniqueConstraint(
                fields=("enrollment", "session", "session_month"), name="attendance_once_per_session"),
        ),
        migrations.RunPython(partition, unpartition),
    ]
