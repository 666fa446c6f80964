"""import_roster and import_attendance: good rows in, every bad row with its reason, nothing
written from a rejected row, same results through the pipeline (xlsx) and the CSV fast path."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import time_machine
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError

from jixing.core.models import AuditEvent
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person, PersonGroup
from jixing.training import actions, rules
from jixing.training.models import Attendance, Enrollment

from .factories import at, make_class, make_enrollment, make_project, make_sessions, make_teacher, make_trainee

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)
ROSTER_HEADER = ["姓名", "公民身份号码", "手机号码", "人员类别"]
ATT_HEADER = ["班级编号", "公民身份号码", "签到时间", "签退时间", "签到方式", "设备编号", "经度", "纬度"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    return path


def run(command: str, path: Path, *args: str) -> dict:
    out = StringIO()
    call_command(command, str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


# ---------------------------------------------------------------- roster


@pytest.fixture
def klass(personas):
    k = make_class(make_project(personas), start=START, capacity=4)
    make_sessions(k, make_teacher(personas.institution))
    return k


def test_it_imports_a_roster_with_eligibility(personas, klass, tmp_path):
    retired = make_id_number("370102", dt.date(1958, 2, 2), 301)
    rows = [
        ["王小丽", make_id_number("370102", dt.date(1992, 1, 1), 102), "13912345678", "城镇登记失业人员"],
        ["赵大海", retired, "", ""],
        [personas.lixia_person.name, personas.lixia_person.id_number, "", ""],
    ]
    summary = run("import_roster", write_csv(tmp_path / "roster.csv", ROSTER_HEADER, rows), "--class", klass.code)
    assert (summary["created"], summary["updated"], summary["unchanged"], summary["rejected"]) == (3, 0, 0, [])
    assert set(summary) >= {"created", "updated", "unchanged", "rejected", "seconds", "ineligible"}
    assert summary["persons_created"] == 2
    assert [(e["row"], e["code"]) for e in summary["ineligible"]] == [(3, rules.WORKING_AGE)]
    assert "法定退休年龄" in summary["ineligible"][0]["reason"]
    assert Enrollment.objects.filter(training_class=klass).count() == 3
    old = Enrollment.objects.get(person__id_number_hash=Person.hash_id_number(retired))
    assert not old.subsidised and not old.eligible
    wang = Person.objects.with_id_number(rows[0][1]).get()
    assert wang.household_region_id == "370102" and wang.phone == "13912345678"
    assert PersonGroup.objects.filter(person=wang, group__code="registered_unemployed", valid_from=START).exists()
    assert AuditEvent.objects.filter(event="training.roster.import").count() == 1


def test_it_imports_the_same_roster_twice_without_new_rows(personas, klass, tmp_path):
    rows = [["王小丽", make_id_number("370102", dt.date(1992, 1, 1), 102), "", ""]]
    path = write_csv(tmp_path / "roster.csv", ROSTER_HEADER, rows)
    run("import_roster", path, "--class", klass.code)
    again = run("import_roster", path, "--class", klass.code)
    assert (again["created"], again["unchanged"]) == (0, 1)
    assert Enrollment.objects.filter(training_class=klass).count() == 1


def test_it_rejects_bad_roster_rows_and_keeps_the_good(personas, klass, tmp_path):
    good = make_id_number("370102", dt.date(1992, 1, 1), 102)
    rows = [
        ["王小丽", good, "", ""],
        ["", make_id_number("370102", dt.date(1992, 1, 1), 104), "", ""],
        ["李四", "370102199201010000", "", ""],  # wrong check digit
        ["王小丽", good, "", ""],  # twice in the file
        ["冒名", personas.lixia_person.id_number, "", ""],  # real-name check
        ["张三", make_id_number("370102", dt.date(1992, 1, 1), 106), "12345", ""],
        ["张五", make_id_number("370102", dt.date(1992, 1, 1), 108), "", "火星人"],
    ]
    summary = run("import_roster", write_csv(tmp_path / "roster.csv", ROSTER_HEADER, rows), "--class", klass.code)
    assert summary["created"] == 1
    assert [(e["row"], e["field"]) for e in summary["rejected"]] == [
        (3, "姓名"), (4, "公民身份号码"), (5, "公民身份号码"), (6, "姓名"), (7, "手机号码"), (8, "人员类别")]
    assert all(e["reason"] for e in summary["rejected"])
    assert Enrollment.objects.filter(training_class=klass).count() == 1
    assert Person.objects.filter(name="张三").count() == 0


def test_it_rejects_rows_beyond_capacity(personas, klass, tmp_path):
    rows = [[f"学员{chr(0x4e00 + i)}", make_id_number("370102", dt.date(1991, 1, 1), 100 + i * 2), "", ""]
            for i in range(6)]
    summary = run("import_roster", write_csv(tmp_path / "roster.csv", ROSTER_HEADER, rows), "--class", klass.code)
    assert summary["created"] == 4
    assert [e["row"] for e in summary["rejected"]] == [6, 7]
    assert "4" in summary["rejected"][0]["reason"]
    assert Enrollment.objects.filter(training_class=klass).count() == 4


def test_it_dry_runs_a_roster_without_writing(personas, klass, tmp_path):
    rows = [["赵大海", make_id_number("370102", dt.date(1958, 2, 2), 301), "", ""]]
    summary = run("import_roster", write_csv(tmp_path / "r.csv", ROSTER_HEADER, rows), "--class", klass.code, "--dry-run")
    assert summary["dry_run"] and summary["created"] == 1
    assert [e["code"] for e in summary["ineligible"]] == [rules.WORKING_AGE]
    assert not Enrollment.objects.exists() and not Person.objects.filter(name="赵大海").exists()


def test_it_takes_the_class_from_the_file_and_refuses_unknown_or_foreign_classes(personas, klass, tmp_path):
    header = ["班级编号", *ROSTER_HEADER]
    rows = [[klass.code, "王小丽", make_id_number("370102", dt.date(1992, 1, 1), 102), "", ""],
            ["BJ-NOPE", "李四", make_id_number("370102", dt.date(1992, 1, 1), 104), "", ""]]
    summary = run("import_roster", write_csv(tmp_path / "r.csv", header, rows), "--user", "ivan")
    assert summary["created"] == 1 and [e["row"] for e in summary["rejected"]] == [3]
    with pytest.raises(CommandError):
        run("import_roster", tmp_path / "r.csv", "--class", klass.code, "--user", "judy")


def test_it_refuses_a_roster_for_a_closed_class(personas, klass, tmp_path):
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=at(START, 0).tzinfo)):
        actions.close_class(klass, by=personas.ivan)
    rows = [["王小丽", make_id_number("370102", dt.date(1992, 1, 1), 102), "", ""]]
    summary = run("import_roster", write_csv(tmp_path / "r.csv", ROSTER_HEADER, rows), "--class", klass.code)
    assert summary["created"] == 0 and summary["rejected"][0]["field"] == "班级编号"


# ---------------------------------------------------------------- attendance


@pytest.fixture
def course(personas):
    """Two classes with 4-hour morning sessions on five days; three trainees in the first."""
    k = make_class(make_project(personas, hours=20), start=START, days=5, capacity=10)
    sessions = make_sessions(k, make_teacher(personas.institution))
    people = [personas.lixia_person, personas.shizhong_person, make_trainee("孙七", seq=77)]
    enrollments = [make_enrollment(k, p) for p in people]
    return k, sessions, people, enrollments


def line(klass, person, day, cin="07:55:00", cout="12:01:00", method="人脸", device="FACE-01", lon="117.120100",
         lat="36.651300"):
    d = START + dt.timedelta(days=day)
    return [klass.code, person.id_number, f"{d} {cin}", f"{d} {cout}" if cout else "", method, device, lon, lat]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_imports_attendance_and_refreshes_rates(personas, course, tmp_path, fmt):
    k, sessions, people, enrollments = course
    rows = [line(k, p, d) for p in people[:2] for d in range(4)]
    rows.append(line(k, people[2], 0, cout=""))  # check-in without check-out
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"a.{fmt}", ATT_HEADER, rows)
    summary = run("import_attendance", path)
    assert (summary["created"], summary["rejected"]) == (9, [])
    assert Attendance.objects.count() == 9
    enrollments[0].refresh_from_db()
    enrollments[2].refresh_from_db()
    assert enrollments[0].attendance_rate == Decimal("0.800") and enrollments[2].attendance_rate == 0
    record = Attendance.objects.get(enrollment=enrollments[0], session=sessions[0])
    assert record.check_in_at == at(START, 7, 55) and record.credited_hours == Decimal("4.0")
    assert (record.method, record.device_id, record.latitude) == ("face", "FACE-01", Decimal("36.651300"))
    assert AuditEvent.objects.filter(event="training.attendance.import").exists()


BAD_CASES = [
    # (row, field, what)
    ("out_of_order", "签退时间"),
    ("bad_time", "签到时间"),
    ("lon_range", "经度"),
    ("lat_range", "纬度"),
    ("unknown_class", "班级编号"),
    ("not_on_roster", "公民身份号码"),
    ("bad_id", "公民身份号码"),
    ("no_session", "签到时间"),
    ("unknown_method", "签到方式"),
    ("dup_in_file", "公民身份号码"),
    ("missing_class", "班级编号"),
]


def bad_row(case, k, people, stranger):
    p = people[0]
    return {
        "out_of_order": line(k, p, 1, cin="09:00:00", cout="08:00:00"),
        "bad_time": line(k, p, 1, cin="早上八点"),
        "lon_range": line(k, p, 1, lon="181.5"),
        "lat_range": line(k, p, 1, lat="-91"),
        "unknown_class": [*line(k, p, 1)[:0], "BJ-370102-2026-9999", *line(k, p, 1)[1:]],
        "not_on_roster": line(k, stranger, 1),
        "bad_id": [k.code, "37010219900517", *line(k, p, 1)[2:]],
        "no_session": line(k, p, 1, cin="15:00:00", cout="16:00:00"),
        "unknown_method": line(k, p, 1, method="指纹"),
        "dup_in_file": line(k, p, 0, cin="08:05:00"),
        "missing_class": ["", *line(k, p, 1)[1:]],
    }[case]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("case", "field"), BAD_CASES)
def test_it_rejects_each_bad_attendance_row_and_keeps_the_good(personas, course, tmp_path, fmt, case, field):
    k, _sessions, people, _e = course
    stranger = make_trainee("路人", seq=88)
    rows = [line(k, people[0], 0), line(k, people[1], 0), bad_row(case, k, people, stranger), line(k, people[1], 1)]
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"a.{fmt}", ATT_HEADER, rows)
    summary = run("import_attendance", path)
    assert summary["created"] == 3
    assert [(e["row"], e["field"]) for e in summary["rejected"]] == [(4, field)]
    assert summary["rejected"][0]["reason"]
    assert Attendance.objects.count() == 3
    assert not Attendance.objects.filter(enrollment__person=people[0], session__starts_at__date=START + dt.timedelta(days=1)).exists()


def test_it_names_the_first_row_of_a_duplicate(personas, course, tmp_path):
    k, _s, people, _e = course
    rows = [line(k, people[0], 0), line(k, people[0], 0, cin="08:01:00")]
    summary = run("import_attendance", write_csv(tmp_path / "a.csv", ATT_HEADER, rows))
    assert summary["rejected"][0]["row"] == 3 and "2" in summary["rejected"][0]["reason"]


def test_it_rejects_check_ins_already_recorded(personas, course, tmp_path):
    k, _s, people, _e = course
    path = write_csv(tmp_path / "a.csv", ATT_HEADER, [line(k, people[0], 0), line(k, people[1], 0)])
    run("import_attendance", path)
    again = run("import_attendance", path)
    assert again["created"] == 0 and [e["row"] for e in again["rejected"]] == [2, 3]
    assert Attendance.objects.count() == 2


def test_it_finds_duplicates_across_chunks(personas, course, tmp_path):
    k, _s, people, _e = course
    rows = [line(k, people[0], 0), line(k, people[1], 0), line(k, people[2], 0), line(k, people[0], 0, cin="08:02:00")]
    path = write_csv(tmp_path / "a.csv", ATT_HEADER, rows)
    out = StringIO()
    call_command("import_attendance", str(path), "--json", "--chunk-size", "2", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["created"] == 3 and [e["row"] for e in summary["rejected"]] == [5]


def test_it_rejects_attendance_of_a_closed_class(personas, course, tmp_path):
    k, _s, people, _e = course
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=at(START, 0).tzinfo)):
        actions.close_class(k, by=personas.ivan)
    summary = run("import_attendance", write_csv(tmp_path / "a.csv", ATT_HEADER, [line(k, people[0], 0)]))
    assert summary["created"] == 0 and summary["rejected"][0]["field"] == "班级编号"
    assert summary["rejected"][0]["reason"] == f"{k.code} 班已结班，考勤已锁定。"
    assert not Attendance.objects.exists()


def test_it_rejects_a_withdrawn_trainee(personas, course, tmp_path):
    k, _s, people, enrollments = course
    actions.withdraw(enrollments[0], by=personas.ivan, reason="退学")
    summary = run("import_attendance", write_csv(tmp_path / "a.csv", ATT_HEADER, [line(k, people[0], 0)]))
    assert summary["created"] == 0 and summary["rejected"][0]["field"] == "公民身份号码"


def test_it_dry_runs_attendance_without_writing(personas, course, tmp_path):
    k, _s, people, _e = course
    summary = run("import_attendance", write_csv(tmp_path / "a.csv", ATT_HEADER, [line(k, people[0], 0)]), "--dry-run")
    assert summary["dry_run"] and summary["created"] == 1 and not Attendance.objects.exists()


def test_it_limits_an_institution_to_its_own_classes(personas, course, tmp_path):
    from jixing.accounts.models import Role
    from jixing.core.testing import make_organisation, make_user

    k, _s, people, _e = course
    make_user("olga", Role.INSTITUTION, organisation=make_organisation("另一学校", "370102", seed=9))
    path = write_csv(tmp_path / "a.csv", ATT_HEADER, [line(k, people[0], 0)])
    summary = run("import_attendance", path, "--user", "olga")
    assert summary["created"] == 0 and summary["rejected"][0]["field"] == "班级编号"
    assert run("import_attendance", path, "--user", "ivan")["created"] == 1


def test_it_refuses_a_file_without_the_required_columns(personas, course, tmp_path):
    path = write_csv(tmp_path / "a.csv", ["班级编号", "姓名"], [["x", "y"]])
    with pytest.raises(CommandError):
        run("import_attendance", path)


def test_it_cuts_a_csv_into_blocks_of_whole_records(tmp_path):
    from jixing.training.bulk_attendance import _csv_blocks

    body = 'a,"line\nbreak",c\nd,e,f\n\ng,"h ""quoted"" i",j\nk,l,m'
    path = tmp_path / "x.csv"
    path.write_text("h1,h2,h3\n" + body, encoding="utf-8")
    blocks = list(_csv_blocks(path, 8))
    assert len(blocks) > 2 and all(head == b"h1,h2,h3\n" for head, _b in blocks)
    assert b"".join(b for _h, b in blocks) == (body + "\n").encode()
    assert all(b.count(b'"') % 2 == 0 and b.endswith(b"\n") for _h, b in blocks)  # never inside quotes


def test_the_attendance_preview_shows_names_and_local_times_not_ids(personas, course, tmp_path, client):
    """Issue 15: the preview showed 班级 58 / 报名 966 / 课次 590, ``2026-11-29 23:55:00+00:00``
    for a 07:55 check-in and ``face``; it shows the class, the trainee, the session's local start,
    local times and the method's label."""
    from jixing.imports import actions as imports

    k, sessions, people, enrollments = course
    path = write_csv(tmp_path / "a.csv", ATT_HEADER, [line(k, people[0], 0)])
    with open(path, "rb") as fh:
        job = imports.receive_upload("attendance", fh, file_name="a.csv", size=path.stat().st_size, by=personas.ivan)
    imports.validate_job(job, by=personas.ivan)
    job.refresh_from_db()
    row = job.preview[0]
    assert row["class"] == f"{k.code} {k.name}" and row["person"] == people[0].name
    assert row["check_in_at"] == f"{START} 07:55" and row["check_out_at"] == f"{START} 12:01"
    assert row["session"] == f"{START} 08:00" and row["method"] == "人脸识别"
    client.force_login(personas.ivan)
    html = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "+00:00" not in html and f"{START} 07:55" in html and people[0].name in html
