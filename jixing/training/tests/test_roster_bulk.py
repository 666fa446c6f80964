"""A roster big enough for the COPY path (``imports.pipeline.copy_insert`` / ``copy_update``,
PostgreSQL; bulk ORM elsewhere): the same persons, phones, memberships, enrollments and
eligibility decisions as the small-file path, and nothing half-written on a failure."""

from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from jixing.core.models import AuditEvent
from jixing.imports.pipeline import COPY_MIN_ROWS, copy_insert
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person, PersonGroup
from jixing.training import rules
from jixing.training.models import Enrollment

from .factories import make_class, make_project, make_sessions, make_teacher

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)
N = 2 * COPY_MIN_ROWS + 20  # 60 registered persons without a phone, 60 new


def _number(i: int) -> str:
    born = dt.date(1958, 2, 2) if i % 10 == 9 else dt.date(1980 + i % 20, 1 + i % 12, 1 + i % 28)
    return make_id_number("370102", born, 400 + i)


def test_a_big_roster_goes_through_copy_with_the_same_results(personas, tmp_path):
    klass = make_class(make_project(personas), start=START, capacity=N)
    make_sessions(klass, make_teacher(personas.institution))
    registered = []
    for i in range(0, N, 2):
        p = Person(name=f"老学员{i}", household_region_id="370102", current_region_id="370102")
        p.set_id_number(_number(i))
        registered.append(p)
    Person.objects.bulk_create(registered)
    path = tmp_path / "roster.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["姓名", "公民身份号码", "手机号码", "人员类别"])
        for i in range(N):
            writer.writerow([f"{'老' if i % 2 == 0 else '新'}学员{i}", _number(i), f"139{i:08d}",
                             "城镇登记失业人员" if i % 3 == 0 else ""])
    out = StringIO()
    call_command("import_roster", str(path), "--json", "--class", klass.code, stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["created"], summary["rejected"], summary["persons_created"]) == (N, [], N // 2)
    retired = {i + 2 for i in range(N) if i % 10 == 9}  # spreadsheet rows (header = row 1)
    assert {e["row"] for e in summary["ineligible"] if e["code"] == rules.WORKING_AGE} == retired
    enrollments = {e.person.id_number: e for e in Enrollment.objects.filter(training_class=klass).select_related("person")}
    assert len(enrollments) == N
    for i in range(N):
        e = enrollments[_number(i)]
        assert e.person.phone == f"139{i:08d}" and e.person.phone_hash == Person.hash_phone(f"139{i:08d}")
        assert e.eligible is (i % 10 != 9) and e.subsidised is e.eligible and e.eligibility_checked_at is not None
        assert e.created_at is not None and e.attendance_rate == 0
    assert e.person.name == f"新学员{N - 1}" and e.person.household_region_id == "370102"
    assert PersonGroup.objects.filter(person__in=[e.person for e in enrollments.values()],
                                      group__code="registered_unemployed", valid_from=START).count() == len(range(0, N, 3))
    assert AuditEvent.objects.filter(event="training.roster.import").count() == 1
    # the same file again: nothing new
    out = StringIO()
    call_command("import_roster", str(path), "--json", "--class", klass.code, stdout=out)
    again = json.loads(out.getvalue())
    assert (again["created"], again["unchanged"]) == (0, N)
    assert Person.objects.filter(name__contains="学员").count() == N


def test_copy_insert_writes_all_rows_or_none(personas):
    people = []
    for i in range(COPY_MIN_ROWS + 5):
        p = Person(name=f"批量{i}", household_region_id="370102", current_region_id="370102")
        p.set_id_number(_number(i))
        people.append(p)
    people[-1].id_number_hash = people[0].id_number_hash  # a duplicate at the end
    before = Person.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_insert(people)
    assert Person.objects.count() == before
    people.pop()
    for p in people:
        p.pk = None
        p._state.adding = True
    with transaction.atomic():
        assert copy_insert(people) == len(people)
    assert all(p.pk for p in people)
    stored = Person.objects.get(pk=people[3].pk)
    assert (stored.id_number, stored.name, stored.birth_date) == (_number(3), "批量3", people[3].birth_date)
