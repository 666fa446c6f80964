"""The load test's prepare step (bench/load.py): what it adds lets every kind of locust user do
its work through the real pages — a trainee's session checks in, an officer's reads the
dashboard, an institution's uploads a roster and claims — and its attendance rows pass the import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from bench.load import ROSTER_ROWS, prepare
from jixing.accounts.models import User
from jixing.funds.models import Claim
from jixing.funds.tests.factories import rule_table
from jixing.imports.pipeline import preflight, run_import
from jixing.imports.readers import inspect_upload
from jixing.training import qr
from jixing.training.importers import AttendanceImporter
from jixing.training.models import Attendance, Enrollment, Provenance

pytestmark = pytest.mark.django_db


def _client(key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


@pytest.fixture
def scenario(personas: Any, tmp_path: Path) -> dict[str, Any]:
    rule_table(personas)  # Jinan's subsidy standard in force: the claim step is on
    path = prepare(trainees=3, out_dir=tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600  # passwords and session keys
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_it_gives_each_trainee_a_session_that_checks_in_by_qr(scenario: dict[str, Any]) -> None:
    session_id, key = scenario["trainees"][0]
    url = f"/training/check-in/{session_id}/{qr.current_token(session_id, timezone.now())}/"
    client = _client(key)
    assert client.get(url).status_code == 200  # the phone page: on the roster, code valid
    assert client.post(url, {"lat": scenario["lat"], "lon": scenario["lon"]}).status_code == 302
    row = Attendance.objects.get(session_id=session_id)
    assert row.provenance == Provenance.CAPTURED and row.check_in_at is not None


def test_its_staff_accounts_sign_in_with_the_password_written_and_their_sessions_work(scenario: dict[str, Any]) -> None:
    officer = scenario["officers"][0]
    assert User.objects.get(username=officer["username"]).check_password(officer["password"])
    assert _client(officer["sessions"][0]).get("/stats/").status_code == 200
    assert _client(officer["sessions"][1]).get("/funds/claims/").status_code == 200


def test_its_institution_uploads_a_roster_and_claims(scenario: dict[str, Any]) -> None:
    client = _client(scenario["institution"][0]["sessions"][0])
    people = scenario["roster_people"][:ROSTER_ROWS]
    body = "姓名,公民身份号码,手机号码\n" + "".join(f"{n},{i},{p}\n" for n, i, p in people)
    response = client.post(f"/training/classes/{scenario['roster_class']}/roster/",
                           {"file": SimpleUploadedFile("花名册.csv", body.encode(), "text/csv")})
    assert response.status_code == 200 and 'class="card notice ok"' in response.content.decode()
    assert Enrollment.objects.filter(training_class_id=scenario["roster_class"]).count() == ROSTER_ROWS

    assert scenario["claim_project"] is not None, scenario["claim_skipped"]
    project, ids = scenario["claim_project"], scenario["claim_enrollments"][:2]
    assert client.get(f"/funds/claims/new/?project={project}").status_code == 200
    response = client.post("/funds/claims/new/", {"project": project, "enrollments": ids})
    assert response.status_code == 302
    claim = Claim.objects.get(project_id=project)
    assert sorted(claim.lines.values_list("enrollment_id", flat=True)) == sorted(ids)
    assert client.post(f"/funds/claims/{claim.pk}/cancel/").status_code == 302  # withdrawn: claimable again


def test_its_attendance_rows_pass_the_import(scenario: dict[str, Any], tmp_path: Path) -> None:
    rows = scenario["attendance"][:scenario["upload_rows"]]
    path = tmp_path / "考勤.csv"
    path.write_text("班级编号,公民身份号码,签到时间,签退时间,签到方式\n"
                    + "".join(f"{c},{i},{a},{b},教师点名\n" for c, i, a, b in rows), encoding="utf-8")
    staff = User.objects.get(username=scenario["institution"][0]["username"])
    info = inspect_upload(path, path.name)
    preflight(AttendanceImporter, path, info)
    result = run_import(AttendanceImporter(user=staff), path, info, dry_run=True, by=staff)
    assert (result.valid_rows, result.rejected_rows) == (len(rows), 0), result.errors[:3]


def test_without_a_standard_that_pays_it_makes_no_claims_and_says_why(reference: None, tmp_path: Path) -> None:
    data = json.loads(prepare(trainees=1, out_dir=tmp_path).read_text(encoding="utf-8"))
    assert data["claim_project"] is None and data["claim_skipped"]
