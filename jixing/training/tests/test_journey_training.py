"""Browser journey: the institution (ivan) creates and submits a project; the Lixia officer
(dave) finds it in the approval queue and approves it; ivan opens a class and enrolls a trainee
whose eligibility reasons show on the roster."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.core.models import StatusChange
from jixing.registry.idgen import make_id_number
from jixing.training.models import Enrollment, ProjectStatus, TrainingProject
from jixing.web.tests.browser import login, screenshot

from .factories import make_teacher, occupation

pytestmark = pytest.mark.browser


def test_it_takes_a_project_from_the_institution_to_approval(page, live_server, personas):
    p = personas
    make_teacher(p.institution)
    login(page, live_server, p.ivan)
    page.click("nav.sidebar >> text=培训项目")
    page.wait_for_url(f"{live_server.url}/training/")
    page.click("text=申报项目")
    page.fill("#id_name", "养老护理员（四级）培训")
    page.select_option("#id_action", label="（4）养老家政技能提升培训行动")
    page.select_option("#id_project_type", value="employment_skill")
    page.select_option("#id_occupation", value=str(occupation().pk))
    page.select_option("#id_level", value="3")
    page.select_option("#id_county", value="370102")
    page.fill("#id_planned_person_times", "60")
    page.fill("#id_hours", "80")
    page.select_option("#id_fund_source", index=1)
    screenshot(page, "training-1-new-project")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/training/projects/*/")
    assert "已保存为草稿" in page.locator(".messages").inner_text()
    project = TrainingProject.objects.get()
    page.click("text=提交审批")
    page.wait_for_url(f"{live_server.url}/training/projects/{project.pk}/")
    assert "已提交" in page.locator("h1").inner_text()
    assert page.locator(".page-head a", has_text="修改").count() == 0  # locked once submitted
    screenshot(page, "training-2-submitted")

    page.context.clear_cookies()
    login(page, live_server, p.dave)
    page.click("nav.sidebar >> text=项目审批")
    page.wait_for_url(f"{live_server.url}/training/approvals/")
    screenshot(page, "training-3-queue")
    page.click(f"text={project.code}")
    page.wait_for_url(f"{live_server.url}/training/projects/{project.pk}/")
    page.fill("#id_reason", "材料齐全，同意立项")
    page.click("button:has-text('批准')")
    page.wait_for_url(f"{live_server.url}/training/projects/{project.pk}/")
    assert "已批准" in page.locator("h1").inner_text()
    screenshot(page, "training-4-approved")
    project.refresh_from_db()
    assert (project.status, project.approved_by) == (ProjectStatus.APPROVED, p.dave)
    assert StatusChange.objects.filter(object_id=str(project.pk), to_status="approved", reason="材料齐全，同意立项").exists()

    page.context.clear_cookies()
    login(page, live_server, p.ivan)
    page.goto(f"{live_server.url}/training/projects/{project.pk}/")
    page.click("text=开班")
    page.fill("#id_name", "养老护理员第1期")
    page.fill("#id_site_address", "济南市历下区经十路88号")
    page.fill("#id_latitude", "36.651200")
    page.fill("#id_longitude", "117.120000")
    page.fill("#id_capacity", "30")
    page.fill("#id_start_date", "2026-03-02")
    page.fill("#id_end_date", "2026-03-06")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/training/classes/*/")
    assert "BJ-370102-2026-0001" in page.locator(".page-head").inner_text()
    page.fill("form[action$='/enroll/'] #id_name", "赵大海")
    page.fill("form[action$='/enroll/'] #id_id_number", make_id_number("370102", dt.date(1955, 1, 1), 301))
    page.click("form[action$='/enroll/'] button")
    page.wait_for_load_state()
    assert "不予补贴" in page.locator(".messages").inner_text()
    assert "法定退休年龄" in page.locator("table.data").nth(1).inner_text()
    screenshot(page, "training-5-roster")
    assert Enrollment.objects.get().subsidised is False
