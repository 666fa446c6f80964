"""Dashboard, drill-down, dispatch report and API through HTTP, with scope."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from jixing.core.models import AuditEvent
from jixing.stats.models import DispatchReport
from jixing.stats.tests.factories import known_dataset

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def dataset(personas):
    known_dataset(personas.alice)
    return personas


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_shows_the_province_dashboard(client, dataset):
    client.force_login(dataset.alice)
    response = client.get("/stats/?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "从2025年到2027年底，全省开展补贴性职业技能培训150万人次以上" in html
    assert 'id="chart-ranking"' in html and "vendor/echarts/echarts.min.js" in html


def test_the_charts_speak_the_page_language(client, dataset):
    """The chart labels come translated from the server: no Chinese baked into dashboard.js."""
    client.force_login(dataset.alice)
    chinese = client.get("/stats/?year=2026").context["chart_data"]["labels"]
    assert chinese["completion"] == "完成率 %" and chinese["months"][0] == "一月"
    english = client.get("/stats/?year=2026", HTTP_ACCEPT_LANGUAGE="en").context["chart_data"]["labels"]
    assert english == {"completion": "completion %", "time": "time progress %", "months": english["months"]}
    assert english["months"][:2] == ["Jan", "Feb"] and len(english["months"]) == 12


def test_it_scopes_the_dashboard_and_refuses_other_regions(client, dataset):
    client.force_login(dataset.bob)
    assert client.get("/stats/?year=2026").status_code == 200
    assert client.get("/stats/?year=2026&region=370200").status_code == 404
    assert client.get("/stats/?year=2031").status_code == 404
    client.force_login(dataset.ivan)
    assert client.get("/stats/").status_code == 403


def test_it_drills_down_within_scope(client, dataset):
    client.force_login(dataset.alice)
    html = client.get("/stats/records/?year=2026&target=domestic_service").content.decode()
    assert html.count("BJ-T-") == 3
    client.force_login(dataset.carol)  # Qingdao sees none of Jinan's records
    html = client.get("/stats/records/?year=2026&target=domestic_service").content.decode()
    assert "BJ-T-" not in html


def test_it_exports_a_chart_table_as_excel(client, dataset):
    client.force_login(dataset.alice)
    response = client.get("/stats/?year=2026&export=ranking")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "排名"
    assert rows[1][1] == "济南市" and rows[1][2] == 3
    assert AuditEvent.objects.filter(event="stats.export").count() == 1


def test_it_generates_the_dispatch_report_with_the_page_figures(client, dataset, tmp_path):
    out = tmp_path / "report.xlsx"
    stdout = io.StringIO()
    call_command("dispatch_report", "--period", "2026-10", "--out", str(out), "--json", stdout=stdout)
    summary = json.loads(stdout.getvalue())
    assert summary["period"] == "2026-10" and summary["as_of"] == "2026-10-31"
    book = CalamineWorkbook.from_path(str(out))
    summary_sheet = book.get_sheet_by_name(_("Summary")).to_python()
    values = {row[0]: row[1] for row in summary_sheet[3:]}
    assert values[_("Subsidised person-times 2025–2027")] == 6
    assert values[_("Completions this year")] == 5 and values[_("Completions this month")] == 2
    cities = book.get_sheet_by_name(_("By city")).to_python()
    assert cities[3][:3] == ["济南市", 1, 3]
    report = DispatchReport.objects.get()
    client.force_login(dataset.alice)
    page = client.get(f"/stats/reports/{report.pk}/").content.decode()
    assert "济南市" in page and "2026-10" in page
    assert client.get(f"/stats/reports/{report.pk}/download/").content == out.read_bytes()


@pytest.mark.parametrize(("period", "message"), [("2026-13", "YYYY-MM"), ("2027-01", "future"), ("2024-12", "2025-01")])
def test_it_refuses_a_bad_period(dataset, tmp_path, period, message):
    with pytest.raises(CommandError) as exc:
        call_command("dispatch_report", "--period", period, "--out", str(tmp_path / "x.xlsx"))
    assert exc.value.returncode == 2
    assert DispatchReport.objects.count() == 0


def test_it_reports_a_past_month_as_of_its_last_day(dataset, tmp_path):
    from jixing.stats.actions import dispatch_figures

    data = dispatch_figures(period=dt.date(2025, 6, 1), today=dt.date(2026, 11, 27))
    assert data["as_of"] == "2025-06-30"
    assert data["headline"]["overall"]["actual"] == "1"  # only the June 2025 completion existed then
    assert data["headline"]["month_total"] == 1


def test_it_generates_a_report_from_the_page_only_for_the_province(client, dataset):
    client.force_login(dataset.bob)
    assert client.post("/stats/reports/generate/", {"period": "2026-10"}).status_code == 404
    client.force_login(dataset.alice)
    response = client.post("/stats/reports/generate/", {"period": "2026-12"})
    assert response.status_code == 422 and DispatchReport.objects.count() == 0
    response = client.post("/stats/reports/generate/", {"period": "2026-10"})
    assert response.status_code == 302 and DispatchReport.objects.count() == 1


def test_it_serves_progress_through_the_api_with_scope(client, dataset):
    client.force_login(dataset.carol)
    rows = {r["code"]: r for r in client.get("/api/v1/stats/progress?year=2026").json()}
    assert rows["digital"]["actual"] == "2" and rows["overall_subsidized"]["actual"] == "2"
    assert client.get("/api/v1/stats/progress?region=370100").status_code == 404
    client.force_login(dataset.alice)
    cities = client.get("/api/v1/stats/cities?year=2026").json()
    assert cities[0]["code"] == "370100" and cities[0]["actual"] == "3"
    client.force_login(dataset.trent)
    assert client.get("/api/v1/stats/progress").status_code == 403


def test_it_puts_progress_tiles_on_the_workbench(client, dataset):
    client.force_login(dataset.bob)
    html = client.get("/").content.decode()
    assert "/stats/" in html and "2025–2027年补贴性培训人次" in html


def test_it_summarises_supervision_in_the_report(dataset):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from jixing.registry.models import Organisation
    from jixing.stats.actions import dispatch_figures
    from jixing.supervision.models import Finding, Severity

    org = dataset.institution
    Finding.objects.create(code="R01", fingerprint="x1", subject_type=ContentType.objects.get_for_model(Organisation),
                           subject_id=str(org.pk), subject_label=org.name, organisation=org, county_id=org.county_id,
                           severity=Severity.HIGH, evidence={}, last_seen_at=timezone.now())
    summary = dispatch_figures(period=dt.date(2026, 11, 1), today=dt.date(2026, 11, 27))["supervision"]
    assert summary[_("Findings")] == 1 and summary[_("Open findings")] == 1
    from jixing.supervision import rules

    name = str(rules.by_code()["R01"].title)  # the rule's name beside its code (issue 15)
    assert summary[_("Findings of rule %(code)s %(name)s") % {"code": "R01", "name": name}] == 1


def test_it_writes_numbers_and_percentages_as_numbers_in_both_workbooks(client, dataset, tmp_path):
    """Excel users sum and sort these cells: no "63.8%" text, no apostrophe before a negative gap."""
    client.force_login(dataset.alice)
    response = client.get("/stats/?year=2026&export=progress")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    completion = [r[5] for r in rows[1:] if r[5] not in ("", "—")]
    gaps = [r[7] for r in rows[1:] if r[7] not in ("", "—")]
    assert completion and all(isinstance(v, float) for v in completion)
    assert gaps and all(isinstance(v, float) for v in gaps) and any(v < 0 for v in gaps)
    out = tmp_path / "report.xlsx"
    call_command("dispatch_report", "--period", "2026-10", "--out", str(out))
    book = CalamineWorkbook.from_path(str(out))
    by_target = book.get_sheet_by_name(_("By target")).to_python()
    cells = [c for row in by_target[3:] for c in row[4:7] if c not in ("", "—")]
    assert cells and all(isinstance(c, float) for c in cells)
    assert not any(isinstance(c, str) and c.startswith("'") for row in by_target for c in row)
    summary = {row[0]: row[1] for row in book.get_sheet_by_name(_("Summary")).to_python()[3:]}
    assert isinstance(summary[_("Completion")], float) and isinstance(summary[_("Three-year target")], float)
