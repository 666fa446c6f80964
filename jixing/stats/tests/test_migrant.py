"""Issue 12 (6): a migrant worker from Henan is registered with their real 户籍, imported
through a class roster, trained, and counted under 河南省 in the statistics; Shandong scopes
still see only Shandong's regions."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from jixing.registry.idgen import make_id_number
from jixing.registry.models import FormerRegionCode, Person, Region
from jixing.registry.queries import counties_writable_by, regions_for_filter
from jixing.stats import queries
from jixing.training import actions as training
from jixing.training.models import Enrollment, EnrollmentStatus
from jixing.training.tests.factories import make_class, make_project, make_sessions, make_teacher

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)


def _roster(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write("姓名,公民身份号码,手机号码,人员类别\n")
        for row in rows:
            fh.write(",".join(row) + "\n")
    return path


def test_it_registers_imports_trains_and_counts_a_migrant_from_henan(client, personas, tmp_path):
    # registered by the Lixia county officer: 户籍 郑州市中原区, living in 历下区
    registered_id = make_id_number("410102", dt.date(1991, 4, 5), 211)
    client.force_login(personas.dave)
    form = client.get(reverse("registry:person_create"))
    assert "河南省 郑州市 中原区" in form.content.decode()
    response = client.post(reverse("registry:person_create"), {
        "id_number": registered_id, "name": "孙豫生", "household_region": "410102", "current_region": "370102",
        "employment_status": "unemployed",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    sun = Person.objects.with_id_number(registered_id).get()
    assert (sun.household_region_id, sun.current_region_id) == ("410102", "370102")

    # imported through a roster with two more: one new from 周口市川汇区 (411602), one whose
    # number carries a former code (valid date and check digit: still a valid number)
    former = FormerRegionCode.objects.filter(code__startswith="41").order_by("code").first()
    assert former is not None and not Region.objects.filter(pk=former.code).exists()
    new_id = make_id_number("411602", dt.date(1993, 8, 9), 123)
    former_id = make_id_number(former.code, dt.date(1980, 2, 3), 345)
    klass = make_class(make_project(personas), start=START, capacity=10)
    make_sessions(klass, make_teacher(personas.institution))
    out = StringIO()
    call_command("import_roster", str(_roster(tmp_path / "roster.csv", [
        ["孙豫生", registered_id, "", ""], ["钱周口", new_id, "", ""], ["赵旧码", former_id, "", ""],
    ])), "--class", klass.code, "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["created"], summary["rejected"], summary["persons_created"]) == (3, [], 2)
    assert Person.objects.with_id_number(new_id).get().household_region_id == "411602"
    assert Person.objects.with_id_number(former_id).get().household_region_id == klass.county_id

    # trained: every session attended, the class closed after its end
    for enrollment in Enrollment.objects.filter(training_class=klass):
        for session in klass.sessions.all():
            training.record_attendance(enrollment, session, by=personas.ivan, check_in_at=session.starts_at,
                                       check_out_at=session.ends_at)
    with time_machine.travel(dt.datetime.combine(klass.end_date + dt.timedelta(days=2), dt.time(9)), tick=False):
        assert training.close_class(klass, by=personas.ivan)["completed"] == 3
    assert Enrollment.objects.filter(training_class=klass, status=EnrollmentStatus.COMPLETED).count() == 3

    # counted: in the province's statistics Henan's two persons stand under 河南省
    scope = queries.stats_scope(personas.alice)
    origins = {row["region"].name: row["count"] for row in queries.origin_breakdown(scope, year=START.year)}
    assert origins == {"河南省": 2, "济南市": 1}
    client.force_login(personas.alice)
    assert "河南省" in client.get(reverse("stats:dashboard") + f"?year={START.year}").content.decode()

    # Shandong scopes still list only Shandong's regions
    assert all(code.startswith("37") for code in counties_writable_by(personas.alice).values_list("code", flat=True))
    assert all(code.startswith("37") for _, group in regions_for_filter(personas.alice) for code, _ in group)
    jinan = queries.stats_scope(personas.alice, region_code="370100")
    assert {row["county"].code[:4] for row in queries.county_breakdown(jinan, year=START.year)} == {"3701"}
    assert all(row["city"].code.startswith("37") for row in queries.city_ranking(scope, year=START.year, today=START))
