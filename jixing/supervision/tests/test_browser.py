"""Journey: an officer opens a finding, groups it into a case, decides a violation."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.supervision.engine import run_rules
from jixing.supervision.models import Case, CaseStatus, Finding, FindingStatus
from jixing.web.tests.browser import login, screenshot

from . import factories as f

pytestmark = pytest.mark.browser


def test_it_takes_a_finding_through_a_case_to_a_violation(page, live_server, personas):
    klass = f.training_class(f.project(personas.institution))
    session = f.session(klass, f.at(dt.date(2025, 3, 4), 9))
    for i in range(15):  # one device, 15 trainees, 3 minutes
        f.attend(f.person(), session, f.at(dt.date(2025, 3, 4), 8, 57, 12 * i), f.at(dt.date(2025, 3, 4), 12, 1),
                 device="HW-P40-7731")
    run_rules(codes=["R03"], full=True)
    finding = Finding.objects.get(code="R03")

    login(page, live_server, personas.dave)
    page.goto(f"{live_server.url}/supervision/")
    screenshot(page, "supervision-dashboard")
    page.goto(f"{live_server.url}/supervision/findings/{finding.pk}/")
    assert "HW-P40-7731" in page.content()
    page.wait_for_selector(".timeline-chart canvas")
    screenshot(page, "supervision-finding")

    page.fill("#case-title", "代签到")
    page.click("#open-case")
    page.wait_for_url(f"{live_server.url}/supervision/cases/*/")
    case = Case.objects.get()
    assert case.status == CaseStatus.INVESTIGATING

    page.check("#decide input[value=violation]")
    page.fill("#decide textarea[name=reasons]", "同一设备3分钟内为15名学员签到，机构未能说明，认定为代签到。")
    page.click("#decide button")
    page.wait_for_selector("#recovery")
    screenshot(page, "supervision-case-violation")
    case.refresh_from_db()
    assert case.status == CaseStatus.VIOLATION
    assert Finding.objects.get().status == FindingStatus.CONFIRMED
