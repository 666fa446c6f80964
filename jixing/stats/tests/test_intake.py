"""Department intake and person-based counting (issue 16 build 4)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from jixing.core.testing import make_id_number, make_person, make_user
from jixing.plan.models import Target
from jixing.registry.models import Department, Occupation, PersonGroup, TargetGroup
from jixing.stats import intake_actions, intake_queries, intake_rules, queries, rollup
from jixing.stats.actions import dispatch_figures
from jixing.stats.models import DepartmentTraining, IntakeStatus

from . import factories as f

D = dt.date
HEADER = "姓名,公民身份号码,培训项目,资金来源,职业（工种）,开始日期,结束日期,培训地县级代码,证书编号,目标任务,行动,人员类别\n"


# --------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(("start", "end", "status"), [
    (D(2026, 3, 1), D(2026, 3, 10), "in_jixing"),   # inside the enrollment's class
    (D(2026, 3, 20), D(2026, 4, 5), "in_jixing"),   # touches its last day
    (D(2026, 4, 21), D(2026, 5, 5), "merged"),      # overlaps the other department's record
    (D(2026, 6, 1), D(2026, 6, 10), "counted"),     # overlaps nothing
])
def test_decide(start, end, status):
    with translation.override("en"):
        decision = intake_rules.decide(
            start, end, enrollments=[intake_rules.Period(1, D(2026, 3, 1), D(2026, 3, 20), "BJ-1")],
            records=[intake_rules.Period(7, D(2026, 4, 20), D(2026, 4, 30), "省妇联")])
    assert decision.status == status
    assert (decision.reason == "") == (status == "counted")


def test_lines_for_counts_each_line_once():
    definitions = {"rural_transfer_labor": frozenset({"rural_transfer_labor"}), "youth": frozenset({"youth"}),
                   "graduate": frozenset({"youth"})}
    assert rollup.lines_for("digital", ["rural_transfer_labor"], definitions) == "digital,rural_transfer_labor"
    assert rollup.lines_for("youth", ["graduate", "youth"], definitions) == "youth"
    assert rollup.lines_for("", [], definitions) == ""


# --------------------------------------------------------------------------- person-based counting


def _migrant_on_digital(personas, *, completed=D(2026, 10, 15)):
    org = personas.institution
    project = f.project(organiser=org, county="370102", action=1, target="digital", by=personas.alice)
    klass = f.training_class(project, start=D(2026, 10, 1), end=D(2026, 10, 14))
    enrollment = f.enroll(klass, completed_on=completed)
    PersonGroup.objects.create(person=enrollment.person, group=TargetGroup.objects.get(code="rural_transfer_labor"),
                               valid_from=D(2026, 1, 1))
    return enrollment


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0), tick=False)
def test_it_counts_a_migrant_on_a_digital_project_toward_both_lines_once_each(personas):
    rollup.rebuild()
    _migrant_on_digital(personas)
    rollup.refresh()
    scope = queries.StatsScope()
    lines = queries.line_counts(scope, year=2026)
    assert lines == {"digital": 1, "rural_transfer_labor": 1}
    rows = {r.target.code: r for r in queries.progress_rows(scope, year=2026, today=D(2026, 11, 20))}
    assert rows["digital"].progress.actual == 1
    assert rows["rural_transfer_labor"].progress.actual == 1
    assert rows["overall_subsidized"].progress.actual == 1  # one person-time overall, not two
    assert rollup.current_lines() == rollup.recount_lines()
    rollup.rebuild()
    assert queries.line_counts(scope, year=2026) == {"digital": 1, "rural_transfer_labor": 1}
    # the youth line counts graduates and young people by definition
    assert set(Target.objects.get(code="youth").counted_groups.values_list("code", flat=True)) == {"graduate", "youth"}


# --------------------------------------------------------------------------- import


@pytest.fixture
def uploads(settings, tmp_path):
    settings.JIXING_UPLOAD_DIR = tmp_path / "uploads"
    return tmp_path


def _officer(code: str, username: str):
    return make_user(username, "sector_officer", department=Department.objects.get(code=code), region_id="370000")


def _import(tmp_path, user, rows: list[str], *, dry_run: bool = False) -> dict:
    path = tmp_path / f"{user.username}-{len(rows)}-{dry_run}.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    out = io.StringIO()
    args = [str(path), "--json", "--user", user.username] + (["--dry-run"] if dry_run else [])
    with translation.override("zh-hans"):
        call_command("import_department_trainings", *args, stdout=out)
    return json.loads(out.getvalue())


def _row(name: str, pid: str, occupation: str, start: str, end: str, *, fund="行业主管部门相关资金", county="370102",
         target="", action="", groups="") -> str:
    return f"{name},{pid},高素质农民培育,{fund},{occupation},{start},{end},{county},,{target},{action},{groups}"


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0), tick=False)
def test_it_imports_department_records_merging_duplicates_and_never_double_counting(personas, uploads):
    rollup.rebuild()
    occupation = Occupation.objects.order_by("id").first()
    migrant = _migrant_on_digital(personas)
    migrant.training_class.project.occupation = occupation
    migrant.training_class.project.save(update_fields=["occupation"])
    agri, women = _officer("agri", "agri1"), _officer("women", "women1")
    farmer = make_id_number("370102", D(1985, 2, 3), 41)
    rows = [
        _row("刘农", farmer, occupation.name, "2026-04-01", "2026-04-20", target="高素质农民", action="2"),
        # the migrant already trained in a jixing class of the same occupation, overlapping
        _row(migrant.person.name, migrant.person.id_number, occupation.name, "2026-10-05", "2026-10-20", action="2"),
    ]
    preview = _import(uploads, agri, rows, dry_run=True)
    assert preview["rejected"] == [{"row": 2, "field": "目标任务", "reason": "目标任务“高素质农民”不存在。"}]
    rows[0] = rows[0].replace("高素质农民,", "面向农业农村一线人员培训（高素质农民培育）,")
    summary = _import(uploads, agri, rows)
    assert (summary["created"], summary["counted"], summary["in_jixing"]) == (2, 1, 1)
    assert _import(uploads, agri, rows)["unchanged"] == 2  # the same file twice changes nothing
    # the women's federation reports the same farmer, same occupation, overlapping: merged
    summary = _import(uploads, women, [
        _row("刘农", farmer, occupation.name, "2026-04-15", "2026-04-25", fund="群团组织相关资金"),
        _row("陈妹", make_id_number("370102", D(1992, 6, 1), 53), occupation.name, "2026-05-01", "2026-05-09",
             fund="群团组织相关资金", groups="农村转移劳动力"),
    ])
    assert (summary["counted"], summary["merged"]) == (1, 1)
    merged = DepartmentTraining.objects.get(department__code="women", status=IntakeStatus.MERGED)
    assert merged.duplicate_of.department.code == "agri" and "合并" in merged.duplicate_reason
    jixing_dup = DepartmentTraining.objects.get(status=IntakeStatus.IN_JIXING)
    assert jixing_dup.duplicate_enrollment_id == migrant.pk

    rollup.refresh()
    scope = queries.StatsScope()
    lines = queries.line_counts(scope, year=2026)
    assert lines == {"digital": 1, "rural_transfer_labor": 2, "high_quality_farmers": 1}
    rows_by_code = {r.target.code: r for r in queries.progress_rows(scope, year=2026, today=D(2026, 11, 20))}
    assert rows_by_code["overall_subsidized"].progress.actual == 3  # migrant + farmer once + 陈妹
    departments = {r["code"]: r["count"] for r in intake_queries.department_breakdown(scope, year=2026)}
    assert departments == {"": 1, "agri": 1, "women": 1}
    funds = {r["code"]: r["count"] for r in intake_queries.fund_source_breakdown(scope, year=2026)}
    assert funds["sector_department"] == 1 and funds["mass_organisation"] == 1 and funds["employment_subsidy"] == 1
    assert rollup.current() == rollup.recount()
    assert rollup.current_cities() == rollup.cities_of(rollup.recount())
    assert rollup.current_lines() == rollup.recount_lines()
    assert rollup.current_sources() == rollup.recount_sources()
    rollup.rebuild()
    assert queries.line_counts(scope, year=2026) == lines

    figures = dispatch_figures(period=D(2026, 10, 1), today=D(2026, 11, 20))
    assert {r["code"]: r["count"] for r in figures["departments"]} == {"": 1, "agri": 1, "women": 1}


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0), tick=False)
def test_it_rejects_bad_rows_naming_row_and_field(personas, uploads):
    agri = _officer("agri", "agri2")
    occupation = Occupation.objects.order_by("id").first()
    pid = make_id_number("370102", D(1985, 2, 3), 41)
    summary = _import(uploads, agri, [
        _row("甲", pid, occupation.name, "2026-04-01", "2026-04-20", action="2"),
        _row("甲", pid, occupation.name, "2026-04-10", "2026-04-30", action="2"),  # same person, overlapping
        _row("乙", pid[:-1] + "X", occupation.name, "2026-04-01", "2026-04-20", action="2"),
        _row("丙", make_id_number("370102", D(1985, 2, 3), 43), "不存在的职业", "2026-04-01", "2026-04-20", action="2"),
        _row("丁", make_id_number("370102", D(1985, 2, 3), 45), occupation.name, "2026-04-01", "2026-12-20", action="2"),
        _row("戊", make_id_number("370102", D(1985, 2, 3), 47), occupation.name, "2026-04-01", "2026-04-20"),
        _row("己", make_id_number("370102", D(1985, 2, 3), 49), occupation.name, "2026-04-01", "2026-04-20",
             action="1"),
    ])
    fields = {(e["row"], e["field"]) for e in summary["rejected"]}
    assert {(3, "公民身份号码"), (4, "公民身份号码"), (5, "职业（工种）"), (6, "结束日期"), (7, "行动"), (8, "行动")} <= fields
    assert summary["created"] == 1
    # an officer without a department (HRSS) cannot import department records
    assert DepartmentTraining.objects.count() == 1


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0), tick=False)
def test_it_flags_a_record_that_a_later_enrollment_duplicates(personas, uploads):
    rollup.rebuild()
    occupation = Occupation.objects.order_by("id").first()
    person = make_person("赵后", "370102", seq=61)
    _import(uploads, _officer("agri", "agri3"),
            [_row("赵后", person.id_number, occupation.name, "2026-10-01", "2026-10-10", action="2")])
    project = f.project(organiser=personas.institution, county="370102", action=2, target=None, by=personas.alice)
    project.occupation = occupation
    project.save(update_fields=["occupation"])
    klass = f.training_class(project, start=D(2026, 10, 5), end=D(2026, 10, 14))
    from jixing.training.models import Enrollment

    Enrollment.objects.create(person=person, training_class=klass, subsidised=True, status="completed",
                              completed_on=D(2026, 10, 14))
    assert intake_actions.reconcile() == 1
    assert DepartmentTraining.objects.get().status == IntakeStatus.IN_JIXING
    rollup.refresh()
    assert rollup.current_sources() == rollup.recount_sources()


# --------------------------------------------------------------------------- pages and API


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0), tick=False)
def test_it_shows_records_to_their_department_and_404s_to_another(personas, uploads, client):
    agri, women = _officer("agri", "agri4"), _officer("women", "women4")
    occupation = Occupation.objects.order_by("id").first()
    _import(uploads, agri, [_row("刘农", make_id_number("370102", D(1985, 2, 3), 41), occupation.name,
                                 "2026-04-01", "2026-04-20", action="2")])
    record = DepartmentTraining.objects.get()
    client.force_login(agri)
    page = client.get("/stats/intake/")
    assert page.status_code == 200 and "刘农" in page.content.decode()
    assert client.get(f"/stats/intake/{record.pk}/").status_code == 200
    api = client.get("/api/v1/stats/intake/records").json()
    assert [r["name"] for r in api] == ["刘农"]
    client.force_login(women)
    assert client.get(f"/stats/intake/{record.pk}/").status_code == 404
    assert client.get("/api/v1/stats/intake/records").json() == []
    client.force_login(personas.carol)  # Qingdao: a Jinan record is out of scope
    assert client.get(f"/stats/intake/{record.pk}/").status_code == 404
    client.force_login(personas.bob)  # Jinan
    assert client.get(f"/stats/intake/{record.pk}/").status_code == 200
    client.force_login(personas.alice)
    dash = client.get("/stats/?year=2026")
    assert dash.status_code == 200 and "by-fund-source" in dash.content.decode()
    breakdown = client.get("/api/v1/stats/intake/breakdown?year=2026").json()
    assert {r["code"]: r["count"] for r in breakdown["departments"]}["agri"] == 1
