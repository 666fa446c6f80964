"""Attendance partitioned by the month of its session (issue 19; jixing/training/partitions.py).

Pure month arithmetic everywhere; the partitioned table itself on PostgreSQL (CI runs the suite
there), where these tests check that the table IS partitioned, rows land in their month's
partition, duplicates are still refused under the old constraint name, and the command and the
session trigger keep it in shape. On SQLite the column is filled the same way."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jixing.core.models import AuditEvent
from jixing.training import actions, partitions
from jixing.training.fields import month_of
from jixing.training.models import Attendance, CheckInMethod

from .factories import at, make_class, make_project, make_sessions, make_teacher, make_trainee

UTC = dt.UTC
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning is PostgreSQL only")


@pytest.mark.parametrize(("month", "n", "expected"), [
    (dt.date(2026, 1, 1), 0, dt.date(2026, 1, 1)),
    (dt.date(2026, 11, 1), 1, dt.date(2026, 12, 1)),
    (dt.date(2026, 11, 1), 2, dt.date(2027, 1, 1)),
    (dt.date(2026, 12, 1), 13, dt.date(2028, 1, 1)),
    (dt.date(2026, 1, 1), -1, dt.date(2025, 12, 1)),
])
def test_add_months(month, n, expected):
    assert partitions.add_months(month, n) == expected


@pytest.mark.parametrize(("today", "ahead", "expected"), [
    (dt.date(2026, 12, 2), 3, [dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1), dt.date(2027, 3, 1)]),
    (dt.date(2026, 1, 31), 0, [dt.date(2026, 1, 1)]),
])
def test_months_to_ensure(today, ahead, expected):
    assert partitions.months_to_ensure(today, ahead) == expected


@pytest.mark.parametrize(("name", "month"), [
    ("training_attendance_y2026m03", dt.date(2026, 3, 1)),
    ("training_attendance_default", None),
    ("training_attendance_y26m3", None),
])
def test_partition_names_round_trip(name, month):
    assert partitions.month_of_partition(name) == month
    if month:
        assert partitions.partition_name(month) == name


@pytest.mark.parametrize(("starts_at", "month"), [
    (dt.datetime(2026, 1, 31, 15, 59, tzinfo=UTC), dt.date(2026, 1, 1)),   # 23:59 in Jinan
    (dt.datetime(2026, 1, 31, 16, 0, tzinfo=UTC), dt.date(2026, 2, 1)),    # 00:00 on 1 February in Jinan
    (dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC), dt.date(2026, 3, 1)),
])
def test_session_month_is_the_local_month_of_the_session(starts_at, month):
    assert month_of(starts_at) == month


@pytest.fixture
def world(personas):
    project = make_project(personas, hours=20)
    klass = make_class(project, start=dt.date(2026, 3, 30), days=5, capacity=60)  # sessions in March and April
    sessions = make_sessions(klass, make_teacher(personas.institution))
    enrollment = actions.enroll(klass, personas.lixia_person, by=personas.ivan)
    return klass, sessions, enrollment


def _attend(personas, enrollment, session):
    return actions.record_attendance(enrollment, session, by=personas.ivan, check_in_at=session.starts_at,
                                     check_out_at=session.ends_at, method=CheckInMethod.TEACHER, device_id="T-01")


def _partition_of(record: Attendance) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM training_attendance WHERE id = %s", [record.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_it_fills_the_session_month_on_every_orm_write(personas, world):
    _klass, sessions, enrollment = world
    record = _attend(personas, enrollment, sessions[0])
    assert record.session_month == dt.date(2026, 3, 1)
    Attendance.objects.bulk_create([Attendance(enrollment=enrollment, session_id=sessions[-1].pk,
                                               person_id=enrollment.person_id, training_class_id=enrollment.training_class_id,
                                               check_in_at=sessions[-1].starts_at, method=CheckInMethod.TEACHER)])
    assert Attendance.objects.get(session=sessions[-1]).session_month == dt.date(2026, 4, 1)


@on_postgres
@pytest.mark.django_db
def test_it_is_a_partitioned_table_and_rows_land_in_their_month(personas, world):
    _klass, sessions, enrollment = world
    assert partitions.is_partitioned(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'training_attendance'::regclass "
                       "AND conname IN ('training_attendance_pkey', 'attendance_once_per_session') ORDER BY conname")
        assert [r[0] for r in cursor.fetchall()] == ["UNIQUE (enrollment_id, session_id, session_month)",
                                                      "PRIMARY KEY (id, session_month)"]
    call_command("attendance_partitions", "--ensure", stdout=StringIO())  # whatever today is
    partitions.ensure(connection, today=dt.date(2026, 3, 15), ahead=1)
    march, april = _attend(personas, enrollment, sessions[0]), _attend(personas, enrollment, sessions[-1])
    assert _partition_of(march) == "training_attendance_y2026m03"
    assert _partition_of(april) == "training_attendance_y2026m04"


@on_postgres
@pytest.mark.django_db
def test_it_still_refuses_the_same_lesson_twice(personas, world):
    _klass, sessions, enrollment = world
    first = _attend(personas, enrollment, sessions[0])
    with pytest.raises(IntegrityError, match="attendance_once_per_session"), transaction.atomic():
        Attendance.objects.create(enrollment=enrollment, session=sessions[0], person_id=first.person_id,
                                  training_class_id=first.training_class_id, check_in_at=first.check_in_at,
                                  method=CheckInMethod.QR)
    # and a writer that forgets the month fails loudly instead of landing in DEFAULT
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO training_attendance (enrollment_id, session_id, person_id, training_class_id, "
                       "check_in_at, method, device_id, photo_ref, credited_hours, recorded_at, provenance) "
                       "VALUES (%s, %s, %s, %s, now(), 'qr', '', '', 0, now(), 'declared')",
                       [enrollment.pk, sessions[1].pk, first.person_id, first.training_class_id])


@on_postgres
@pytest.mark.django_db
def test_ensure_moves_a_month_out_of_the_default_partition(personas):
    # two years before today: a month the migration never created (it creates the months holding
    # rows and today's plus three ahead), whenever the suite runs
    month = partitions.add_months(timezone.localdate().replace(day=1), -24)
    name = partitions.partition_name(month)
    assert name not in {p.name for p in partitions.partitions(connection)}
    klass = make_class(make_project(personas, hours=20), start=month + dt.timedelta(days=1), days=2, capacity=60)
    sessions = make_sessions(klass, make_teacher(personas.institution))
    enrollment = actions.enroll(klass, personas.lixia_person, by=personas.ivan)
    record = _attend(personas, enrollment, sessions[0])
    assert _partition_of(record) == partitions.DEFAULT
    out = StringIO()
    created = partitions.ensure(connection, today=month, ahead=0)
    assert created == [name]
    assert _partition_of(record) == name
    assert Attendance.objects.filter(pk=record.pk, enrollment=enrollment).count() == 1
    assert partitions.ensure(connection, today=month, ahead=0) == []
    call_command("attendance_partitions", "--json", "--count", stdout=out)
    listed = {p["name"]: p["rows"] for p in json.loads(out.getvalue())["partitions"]}
    assert listed[name] == 1


@on_postgres
@pytest.mark.django_db
def test_a_session_moved_to_another_month_takes_its_rows_along(personas, world):
    _klass, sessions, enrollment = world
    partitions.ensure(connection, today=dt.date(2026, 3, 1), ahead=2)
    record = _attend(personas, enrollment, sessions[0])
    sessions[0].starts_at, sessions[0].ends_at = at(dt.date(2026, 5, 4), 8), at(dt.date(2026, 5, 4), 12)
    sessions[0].save(update_fields=["starts_at", "ends_at"])
    record.refresh_from_db()
    assert record.session_month == dt.date(2026, 5, 1) and _partition_of(record) == "training_attendance_y2026m05"
    with pytest.raises(IntegrityError, match="attendance_once_per_session"), transaction.atomic():
        Attendance.objects.create(enrollment=enrollment, session=sessions[0], person_id=record.person_id,
                                  training_class_id=record.training_class_id, check_in_at=sessions[0].starts_at,
                                  method=CheckInMethod.QR)


@on_postgres
@pytest.mark.django_db
def test_detach_refuses_open_classes_and_the_current_month_then_detaches(personas, world):
    klass, sessions, enrollment = world
    partitions.ensure(connection, today=dt.date(2026, 3, 1), ahead=1)
    _attend(personas, enrollment, sessions[0])
    with pytest.raises(CommandError, match="only months before"):
        call_command("attendance_partitions", "--detach-before", "2099-01", stdout=StringIO())
    with pytest.raises(CommandError, match=f"class {klass.code} is not closed"):
        call_command("attendance_partitions", "--detach-before", "2026-04", stdout=StringIO())
    assert "training_attendance_y2026m03" in {p.name for p in partitions.partitions(connection)}
    type(klass).objects.filter(pk=klass.pk).update(closed_at=at(dt.date(2026, 4, 10), 9))
    out = StringIO()
    call_command("attendance_partitions", "--detach-before", "2026-04", "--json", stdout=out)
    detached = json.loads(out.getvalue())["detached"]
    assert "training_attendance_y2026m03" in detached
    assert not Attendance.objects.filter(session=sessions[0]).exists()  # archived, outside the live table
    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM "training_attendance_y2026m03"')
        assert cursor.fetchone()[0] == 1  # kept, not deleted
    assert AuditEvent.objects.filter(event="training.attendance.partitions_detached").exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the message SQLite gives")
@pytest.mark.django_db
def test_the_command_says_so_on_sqlite():
    out = StringIO()
    call_command("attendance_partitions", "--ensure", stdout=out)
    assert "not partitioned" in out.getvalue()


@on_postgres
@pytest.mark.django_db
def test_the_rebuild_keeps_every_row_and_id_both_ways(personas, world):
    """What the migration does to a table with rows (forwards and backwards)."""
    _klass, sessions, enrollment = world
    rows = [_attend(personas, enrollment, s) for s in sessions[:3]]
    partitions.rebuild(connection, partitioned=False, today=dt.date(2026, 3, 1))
    assert not partitions.is_partitioned(connection)
    partitions.rebuild(connection, partitioned=True, today=dt.date(2026, 3, 1))
    assert partitions.is_partitioned(connection)
    assert sorted(Attendance.objects.values_list("id", flat=True)) == sorted(r.pk for r in rows)
    assert {_partition_of(r) for r in rows} == {"training_attendance_y2026m03", "training_attendance_y2026m04"}
    newer = _attend(personas, enrollment, sessions[3])
    assert newer.pk > max(r.pk for r in rows)  # the identity sequence continues
    with pytest.raises(IntegrityError, match="attendance_once_per_session"), transaction.atomic():
        Attendance.objects.create(enrollment=enrollment, session=sessions[0], person_id=newer.person_id,
                                  training_class_id=newer.training_class_id, check_in_at=sessions[0].starts_at,
                                  method=CheckInMethod.QR)


@on_postgres
@pytest.mark.django_db
def test_copy_insert_fills_the_month_too(personas, world):
    from jixing.imports.pipeline import COPY_MIN_ROWS, copy_insert

    klass, sessions, _enrollment = world
    people = [make_trainee(f"学员{i}", seq=700 + i) for i in range(COPY_MIN_ROWS)]
    outcomes = actions.enroll_persons(klass, people, by=personas.ivan)
    rows = [Attendance(enrollment=o.enrollment, session=sessions[-1], person_id=o.person_id,
                       training_class_id=klass.pk, check_in_at=sessions[-1].starts_at, method=CheckInMethod.QR)
            for o in outcomes if o.enrollment is not None]
    assert copy_insert(rows) == len(rows) == COPY_MIN_ROWS
    assert set(Attendance.objects.filter(session=sessions[-1]).values_list("session_month", flat=True)) == {
        dt.date(2026, 4, 1)}
