"""The province-scale generator (bench/province.py) at its tiny scale: row counts from the shape's
own formulas, and one invariant per table the app relies on."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes PostgreSQL partitions and COPY"),
    pytest.mark.django_db(transaction=True),
]


def _fetch(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _schema() -> list[tuple]:
    """Foreign keys and indexes of the tables the generator loads without them."""
    from bench import province

    return _fetch("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                     WHERE conrelid IN (SELECT unnest(%s::regclass[]))
                     UNION ALL SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid)
                     FROM pg_index WHERE indrelid IN (SELECT unnest(%s::regclass[]))
                     ORDER BY 1, 2, 3""", [list(province.LOADED_WITHOUT_INDEXES)] * 2)


@pytest.fixture
def generated(tmp_path: Path):
    from bench import province
    from jixing.training import partitions

    before = {p.name for p in partitions.partitions(connection)}
    schema = _schema()
    result = province.generate(province.SCALES["tiny"], accounts_to=tmp_path / "accounts.txt")
    yield result, tmp_path / "accounts.txt", schema
    with connection.cursor() as cursor:  # leave the test database's partitions as the migration made them
        for p in partitions.partitions(connection):
            if p.name not in before:
                cursor.execute(f'DROP TABLE "{p.name}"')


def test_it_generates_the_shape_it_promises(generated) -> None:
    from bench import province

    result, _, _ = generated
    shape = province.Shape.for_enrollments(province.SCALES["tiny"])
    classes = range(1, shape.classes + 1)
    sessions = {c: 20 + (c * 7) % 11 for c in classes}
    sizes = {c: 20 + (c * 13) % 21 for c in classes}
    expected_attendance = 0
    for c in classes:
        n = sessions[c]
        for j in range(sizes[c]):
            e = (c - 1) * province.SLOTS + j + 1
            kind = (e * 2654435761) % 100
            expected_attendance += n - e % 3 if kind < 85 else (n * 4 // 10 if kind < 95 else 3)
    counts = result["counts"]
    assert counts["training_trainingclass"] == shape.classes
    assert counts["registry_organisation"] == shape.organisations + 16  # + an evaluation institution per city
    assert counts["registry_person"] == shape.persons + shape.organisations * province.TEACHERS_PER_ORG
    assert counts["training_trainingsession"] == sum(sessions.values())
    assert counts["training_enrollment"] == sum(sizes.values())  # no class 500 at this size: no double booking
    assert counts["training_attendance"] == expected_attendance
    assert set(result["phases"]) >= {"persons (encrypted, COPY)", "attendance", "stats rollups (rebuild)"}


def test_each_table_holds_what_the_app_relies_on(generated) -> None:
    from jixing.accounts.models import User
    from jixing.registry.models import Organisation, Person
    from jixing.stats import rollup
    from jixing.training.models import Attendance, Enrollment, TrainingClass, TrainingSession

    _, accounts, schema = generated
    # organisations: one or more training institutions in each of the 16 cities
    assert len({o.county_id[:4] for o in Organisation.objects.exclude(kind="evaluation_institution")}) == 16
    assert {o.county_id[:2] for o in Organisation.objects.all()} == {"37"}
    # persons: the stored ciphertext decrypts to an ID number whose blind index is the stored hash
    person = Person.objects.get(pk=7)
    assert Person.hash_id_number(person.id_number) == person.id_number_hash
    assert person.birth_date.strftime("%Y%m%d") == person.id_number[6:14]
    assert Person.hash_phone(person.phone) == person.phone_hash
    assert Person.objects.values("id_number_hash").distinct().count() == Person.objects.count()
    # classes and sessions: weekdays only, the class ends on its last session's day, accepted filing
    for klass in TrainingClass.objects.all():
        days = [s.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
                for s in TrainingSession.objects.filter(training_class=klass)]
        assert all(d.isoweekday() < 6 for d in days)
        assert max(days) == klass.end_date and min(days) == klass.start_date
        assert klass.filing_status == "accepted"
    # enrollments: the stored rate is what was attended; completed ones have their date
    rates = Counter(Attendance.objects.values_list("enrollment_id", flat=True))
    for e in Enrollment.objects.select_related("training_class"):
        n = TrainingSession.objects.filter(training_class=e.training_class).count()
        assert e.attendance_rate == (Decimal(rates[e.pk]) / n).quantize(Decimal("0.001"))
        assert (e.status == "completed") == (e.completed_on is not None)
    # attendance: nothing in DEFAULT, each row in its session's month, out after in
    assert _fetch("SELECT count(*) FROM training_attendance_default") == [(0,)]
    assert _fetch("""SELECT count(*) FROM training_attendance a JOIN training_trainingsession s ON s.id = a.session_id
                     WHERE a.session_month <> date_trunc('month', s.starts_at AT TIME ZONE 'Asia/Shanghai')::date
                        OR a.check_out_at <= a.check_in_at""") == [(0,)]
    # the foreign keys and indexes dropped for the load are back, as the migration made them
    assert _schema() == schema
    # R03's plant: class 7's first session signed in by one proxy device
    assert Attendance.objects.filter(training_class_id=7, device_id__startswith="proxy-").count() >= 20
    # evaluation: a certificate for each passed, locked result of a completed trainee
    from jixing.evaluation.models import Certificate, EvaluationResult

    assert Certificate.objects.count() == EvaluationResult.objects.filter(passed=True, status="locked").count() > 0
    assert not Certificate.objects.exclude(result__candidate__enrollment__status="completed").exists()
    # claims: the amount is the sum of its lines, one line per completed, eligible, subsidised trainee
    from django.db.models import Sum

    from jixing.funds import ledger
    from jixing.funds.models import Claim

    claims = Claim.objects.annotate(lines_total=Sum("lines__amount"))
    assert claims.exists() and all(c.amount == c.lines_total for c in claims)
    # the ledger verifies: balanced postings, cached balances, none negative, all referenced
    report = ledger.verify()
    assert report.ok and report.postings > 0, report.as_dict()
    # rollups: built, and what a recount says
    assert rollup.current() and rollup.current() == rollup.recount()
    # accounts: each line signs in with its password
    lines = [line.split("\t") for line in accounts.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1 + 16 + 12
    for username, password, _role in lines[:3]:
        assert User.objects.get(username=username).check_password(password)
