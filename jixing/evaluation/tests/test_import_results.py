"""import_results: row-level Chinese reasons, nothing written for bad rows, --json summary."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from jixing.core.models import AuditEvent
from jixing.core.testing import make_person
from jixing.evaluation import actions
from jixing.evaluation.models import EvaluationResult, PassRule

from . import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "公民身份号码", "理论成绩", "技能成绩", "综合成绩"]


def write_csv(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path = tmp_path / "scores.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path: Path, code: str, *extra: str) -> dict:
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("import_results", str(path), "--session", code, "--json", *extra, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


@pytest.fixture
def session_with_candidates(personas):
    p = personas
    s = f.session(p, f.approved_filing(p))
    a = actions.add_enrollment_candidate(s, f.completed_enrollment(p.lixia_person), by=p.judy)
    b = actions.add_applicant(s, p.shizhong_person, years_of_work=2, by=p.judy)
    c = actions.add_applicant(s, make_person("赵历城", "370112", seq=44), years_of_work=2, by=p.judy)
    return s, a, b, c


def test_it_imports_valid_rows_and_rejects_bad_ones_with_chinese_reasons(tmp_path, personas, session_with_candidates) -> None:
    p = personas
    s, a, b, c = session_with_candidates
    path = write_csv(tmp_path, [
        [a.person.name, a.person.id_number, "78", "85.5", ""],
        [b.person.name, b.person.id_number, "abc", "120", ""],
        ["张青岛", p.qingdao_person.id_number, "80", "80", ""],
        ["王错名", c.person.id_number, "80", "80", ""],
        [a.person.name, a.person.id_number, "80", "80", ""],
    ])
    summary = run(path, s.code)
    assert (summary["created"], summary["rejected_rows"], summary["session"]) == (1, 4, s.code)
    reasons = {(e["row"], e["field"]): e["reason"] for e in summary["rejected"]}
    assert reasons[(3, "理论成绩")] == "理论成绩必须是数字。"
    assert reasons[(3, "技能成绩")] == "技能成绩必须在0到100之间。"
    assert reasons[(4, "公民身份号码")] == "该人员不是本批次的考生。"
    assert reasons[(5, "姓名")] == "姓名与公民身份号码不符。"
    assert reasons[(6, "公民身份号码")].startswith("与本文件第2行重复")
    assert p.qingdao_person.id_number not in json.dumps(summary, ensure_ascii=False)
    result = EvaluationResult.objects.get()
    assert (result.candidate, result.theory_score, result.practical_score, result.passed) == (a, Decimal("78"), Decimal("85.5"), True)
    assert AuditEvent.objects.filter(event="evaluation_result.import").count() == 1


def test_it_writes_nothing_on_a_dry_run_and_nothing_twice(tmp_path, session_with_candidates) -> None:
    s, a, b, c = session_with_candidates
    path = write_csv(tmp_path, [[a.person.name, a.person.id_number, "60", "60", ""]])
    assert run(path, s.code, "--dry-run")["created"] == 1
    assert not EvaluationResult.objects.exists()
    assert run(path, s.code)["created"] == 1
    again = run(path, s.code)
    assert (again["created"], again["unchanged"]) == (0, 1)
    assert EvaluationResult.objects.count() == 1


def test_it_needs_the_comprehensive_score_where_configured(tmp_path, session_with_candidates) -> None:
    s, a, b, c = session_with_candidates
    PassRule.objects.create(occupation=None, level=s.level, comprehensive_min=Decimal("60"))
    path = write_csv(tmp_path, [[a.person.name, a.person.id_number, "70", "70", ""],
                                [b.person.name, b.person.id_number, "70", "70", "65"]])
    summary = run(path, s.code)
    assert summary["created"] == 1
    assert summary["rejected"] == [{"row": 2, "field": "综合成绩", "reason": "该职业等级需要综合评审成绩。"}]


def test_it_refuses_rows_once_the_session_is_submitted(tmp_path, personas, session_with_candidates) -> None:
    s, a, b, c = session_with_candidates
    actions.record_result(a, theory=Decimal(70), practical=Decimal(70), examiner=s.examiners.first(), by=personas.judy)
    actions.submit_results(s, by=personas.judy)
    summary = run(write_csv(tmp_path, [[b.person.name, b.person.id_number, "70", "70", ""]]), s.code)
    assert summary["created"] == 0 and summary["rejected_rows"] == 1
    assert EvaluationResult.objects.count() == 1


def test_it_rejects_an_unknown_session_and_a_wrong_file(tmp_path, session_with_candidates) -> None:
    s, _a, _b, _c = session_with_candidates
    path = write_csv(tmp_path, [])
    with pytest.raises(CommandError):
        run(path, "PC-NOPE")
    bad = tmp_path / "scores.exe"
    bad.write_bytes(b"MZ\x00\x00")
    with pytest.raises(CommandError):
        run(bad, s.code)


def test_it_imports_a_score_sheet_uploaded_on_the_session_page(client, tmp_path, personas, session_with_candidates, settings) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.JIXING_UPLOAD_DIR = str(tmp_path / "uploads")
    s, a, b, c = session_with_candidates
    path = write_csv(tmp_path, [[a.person.name, a.person.id_number, "88", "77", ""],
                                [b.person.name, b.person.id_number, "88", "101", ""]])
    client.force_login(personas.judy)
    with translation.override("zh-hans"):
        response = client.post(reverse("evaluation:session_import", args=[s.pk]),
                               {"file": SimpleUploadedFile("成绩.csv", path.read_bytes(), content_type="text/csv")},
                               follow=True)
    page = response.content.decode()
    assert "技能成绩必须在0到100之间" in page
    assert EvaluationResult.objects.get().candidate == a
    assert list((tmp_path / "uploads").iterdir()) == []
    client.force_login(personas.ivan)  # another organisation: 404, nothing written
    again = client.post(reverse("evaluation:session_import", args=[s.pk]),
                        {"file": SimpleUploadedFile("成绩.csv", path.read_bytes(), content_type="text/csv")})
    assert again.status_code == 404
