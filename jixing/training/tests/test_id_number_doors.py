"""Training's doors for identity numbers use the one normaliser (issue 11, defect 5): the
attendance import and API find a full-width number on the roster; a superscript or
Arabic-Indic digit in a roster or attendance file is a row error, never a traceback or a
second person. The digit classes are those of jixing/registry/tests/test_id_number_doors.py."""

from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from jixing.registry.models import Person
from jixing.registry.tests.test_id_number_doors import ARABIC_INDIC, FEW, FULL_WIDTH, SUPERSCRIPT
from jixing.training.models import Attendance

from .factories import make_class, make_enrollment, make_project, make_sessions, make_teacher

START = dt.date(2026, 3, 2)
ROSTER_HEADER = ["姓名", "公民身份号码", "手机号码", "人员类别"]
ATT_HEADER = ["班级编号", "公民身份号码", "签到时间", "签退时间", "签到方式", "设备编号", "经度", "纬度"]
SPELLINGS = {"full-width": FULL_WIDTH, "superscript": SUPERSCRIPT, "arabic-indic": ARABIC_INDIC}


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _run(command: str, path: Path, *args: str) -> dict:
    out = StringIO()
    call_command(command, str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def course(personas):
    klass = make_class(make_project(personas, hours=20), start=START, days=5, capacity=10)
    make_sessions(klass, make_teacher(personas.institution))
    make_enrollment(klass, personas.lixia_person)
    return klass


def _line(klass, number: str, day: int = 0) -> list[str]:
    d = START + dt.timedelta(days=day)
    return [klass.code, number, f"{d} 07:55:00", f"{d} 12:01:00", "人脸", "FACE-01", "117.120100", "36.651300"]


@pytest.mark.parametrize("spelling", ["full-width", "superscript"])
def test_it_finds_a_compatibility_spelled_number_on_the_roster_in_the_attendance_import(personas, course, tmp_path, spelling):
    number = personas.lixia_person.id_number.translate(SPELLINGS[spelling])
    summary = _run("import_attendance", _csv(tmp_path / "a.csv", ATT_HEADER, [_line(course, number)]))
    assert (summary["created"], summary["rejected"]) == (1, [])
    assert Attendance.objects.filter(enrollment__person=personas.lixia_person).count() == 1


def test_it_rejects_arabic_indic_digits_in_the_attendance_import_as_a_row_error(personas, course, tmp_path):
    number = personas.lixia_person.id_number.translate(ARABIC_INDIC)
    summary = _run("import_attendance", _csv(tmp_path / "a.csv", ATT_HEADER, [_line(course, number)]))
    assert summary["created"] == 0 and [(r["row"], r["field"]) for r in summary["rejected"]] == [(2, "公民身份号码")]


def test_it_finds_a_full_width_number_on_the_roster_through_the_attendance_api(client, personas, course):
    client.force_login(personas.ivan)
    body = {"class_code": course.code, "id_number": personas.lixia_person.id_number.translate(FULL_WIDTH),
            "check_in_at": f"{START}T07:55:00+08:00", "method": "qr"}
    response = client.post("/api/v1/training/attendance", body, content_type="application/json")
    assert response.status_code == 201, response.content


@FEW
@given(spelling=st.sampled_from(sorted(SPELLINGS)))
def test_it_never_raises_from_the_roster_import_and_makes_no_second_person(personas, course, tmp_path, spelling):
    number = personas.lixia_person.id_number.translate(SPELLINGS[spelling])
    before = Person.objects.count()
    summary = _run("import_roster", _csv(tmp_path / "r.csv", ROSTER_HEADER, [["李历下", number, "", ""]]),
                   "--class", course.code)
    assert Person.objects.count() == before
    if spelling == "arabic-indic":
        assert [r["field"] for r in summary["rejected"]] == ["公民身份号码"]

