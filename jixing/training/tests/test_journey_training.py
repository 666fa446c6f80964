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


def test_it_lets_a_trainee_check_in_from_a_phone(browser, live_server, personas, transactional_db):
    from django.utils import timezone

    from jixing.training.models import Attendance
    from jixing.training.views import check_in_token

    from .factories import make_class, make_enrollment, make_project

    now = timezone.localtime()
    klass = make_class(make_project(personas), start=now.date(), days=1)
    teacher = make_teacher(personas.institution)
    session = klass.sessions.create(starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=2),
                                    hours=2, teacher=teacher, topic="老年人生活照护")
    make_enrollment(klass, personas.lixia_person)
    phone = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                                base_url=live_server.url, is_mobile=True)
    page = phone.new_page()
    try:
        page.goto(f"{live_server.url}/training/check-in/{check_in_token(session)}/")
        page.wait_for_url("**/accounts/login/**")
        page.fill("#id_username", personas.trent.username)
        from jixing.core.testing import TEST_PASSWORD

        page.fill("#id_password", TEST_PASSWORD)
        page.click("form.login-form button[type=submit]")
        page.wait_for_url("**/training/check-in/**")
        assert "老年人生活照护" in page.content()
        screenshot(page, "training-6-phone-check-in")
        page.click("button:has-text('签到')")
        page.wait_for_url("**/training/check-in/**")
        assert "签到" in page.locator(".messages").inner_text()
        assert page.locator("button:has-text('签退')").count() == 1
        screenshot(page, "training-7-phone-checked-in")
        record = Attendance.objects.get()
        assert (record.method, record.person_id) == ("qr", personas.lixia_person.pk)
    finally:
        phone.close()
