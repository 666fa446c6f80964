"""Browser journey: the institution (ivan) creates and submits a project; the Lixia officer
(dave) finds it in the approval queue and approves it; ivan opens a class and enrolls a trainee
whose eligibility reasons show on the roster."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.core.models import StatusChange
from jixing.registry.idgen import make_id_number
from jixing.training.models import Enrollment, ProjectStatus, TrainingClass, TrainingProject
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
    assert page.locator("form[action$='/enroll/']").count() == 0  # no enrollment before the filing is accepted
    # the filing steps themselves (file, accept, return) are tested in test_class_filing.py
    TrainingClass.objects.filter(code="BJ-370102-2026-0001").update(filing_status="accepted")
    page.reload()
    page.fill("form[action$='/enroll/'] #id_name", "赵大海")
    page.fill("form[action$='/enroll/'] #id_id_number", make_id_number("370102", dt.date(1955, 1, 1), 301))
    page.click("form[action$='/enroll/'] button")
    page.wait_for_load_state()
    assert "不予补贴" in page.locator(".messages").inner_text()
    assert "法定退休年龄" in page.locator("table.data").nth(1).inner_text()
    screenshot(page, "training-5-roster")
    assert Enrollment.objects.get().subsidised is False


def _phone(browser, live_server, *, position=None):
    """A 390×844 phone browser; ``position`` (lat, lon) grants geolocation, None denies it."""
    phone = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}, base_url=live_server.url,
        is_mobile=True, has_touch=True, permissions=["geolocation"] if position else [],
        geolocation={"latitude": position[0], "longitude": position[1]} if position else None,
    )
    phone.set_default_timeout(60_000)  # the shared 2-core machine is slow under load
    return phone


def _scan(page):
    """What a phone camera does: photograph the QR code on the screen and decode it (zxing-cpp)."""
    import io

    import zxingcpp
    from PIL import Image

    page.wait_for_function("document.getElementById('check-in-qr').complete")
    shot = Image.open(io.BytesIO(page.locator("#check-in-qr").screenshot()))
    [code] = zxingcpp.read_barcodes(shot)
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    return code.text


def _sign_in_on_phone(page, user):
    from jixing.core.testing import TEST_PASSWORD

    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url("**/training/check-in/**")


def test_it_lets_a_trainee_scan_the_rotating_qr_and_refuses_far_away(browser, live_server, personas, page):
    from django.utils import timezone

    from jixing.core.testing import make_user
    from jixing.training.models import Attendance

    from .factories import make_class, make_enrollment, make_project

    now = timezone.localtime()
    klass = make_class(make_project(personas), start=now.date(), days=1)
    teacher = make_teacher(personas.institution)
    session = klass.sessions.create(starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=2),
                                    hours=2, teacher=teacher, topic="老年人生活照护")
    make_enrollment(klass, personas.lixia_person)
    make_enrollment(klass, personas.shizhong_person)
    tina = make_user("tina", "trainee", person=personas.shizhong_person)
    site = (float(klass.latitude), float(klass.longitude))

    # the teacher's screen at the site shows the rotating code
    page.set_default_timeout(60_000)
    login(page, live_server, personas.ivan)
    page.goto(f"{live_server.url}/training/sessions/{session.pk}/")
    screenshot(page, "attendance-1-session-qr")
    url = _scan(page)
    assert f"/training/check-in/{session.pk}/" in url

    # a trainee at the site (position granted) checks in
    phone = _phone(browser, live_server, position=(site[0] + 0.0003, site[1]))
    try:
        trainee = phone.new_page()
        trainee.goto(url)
        _sign_in_on_phone(trainee, personas.trent)
        trainee.wait_for_selector("#check-in-button:enabled")
        screenshot(trainee, "attendance-2-phone-ready")
        trainee.click("#check-in-button")
        trainee.wait_for_url("**/training/my/sessions/**")
        assert "签到" in trainee.locator(".messages").inner_text()
        screenshot(trainee, "attendance-3-phone-checked-in")
    finally:
        phone.close()
    record = Attendance.objects.get(person_id=personas.lixia_person.pk)
    assert (record.method, record.provenance) == ("qr", "captured")

    # another trainee 5 km away with a code passed on in a chat group: refused with the distance
    url = _scan(page)
    far = _phone(browser, live_server, position=(site[0] + 0.045, site[1]))
    try:
        trainee = far.new_page()
        trainee.goto(url)
        _sign_in_on_phone(trainee, tina)
        trainee.wait_for_selector("#check-in-button:enabled")
        trainee.click("#check-in-button")
        trainee.wait_for_selector("#refusal")
        text = trainee.locator("#refusal").inner_text()
        assert "5.0 公里" in text and "300 米" in text
        screenshot(trainee, "attendance-4-phone-refused-far")
    finally:
        far.close()

    # geolocation denied: the page says so and the button stays disabled
    denied = _phone(browser, live_server)
    try:
        trainee = denied.new_page()
        trainee.goto(_scan(page))
        _sign_in_on_phone(trainee, tina)
        trainee.wait_for_selector("#geo-status.error")
        assert trainee.locator("#check-in-button").is_disabled()
        assert "位置" in trainee.locator("#geo-status").inner_text()
        screenshot(trainee, "attendance-5-phone-location-denied")
    finally:
        denied.close()
    assert not Attendance.objects.filter(person_id=personas.shizhong_person.pk).exists()
