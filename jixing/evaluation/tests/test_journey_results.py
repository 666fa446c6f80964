"""Browser journey: an evaluation body adds a class's completed trainees to a session, records
their scores and submits them; the county officer locks the results; the certificate is issued."""

from __future__ import annotations

import pytest

from jixing.evaluation.models import Certificate, EvaluationSession
from jixing.web.tests.browser import login, screenshot

from . import factories as f

pytestmark = pytest.mark.browser


def test_it_takes_a_session_from_candidates_to_certificates(page, live_server, personas) -> None:
    session = f.session(personas, f.approved_filing(personas))
    enrollment = f.completed_enrollment(personas.lixia_person)
    class_code = enrollment.training_class.code

    login(page, live_server, personas.judy)
    page.goto(f"{live_server.url}/evaluation/sessions/{session.pk}/")
    page.fill("#id_class_code", class_code)
    page.click("text=添加结业学员")
    row = page.locator("#candidates tbody tr", has_text=personas.lixia_person.name)
    row.wait_for()
    assert personas.lixia_person.masked_id_number in row.inner_text()
    assert personas.lixia_person.id_number not in page.content()

    row.locator("input[name=theory]").fill("75")
    row.locator("input[name=practical]").fill("82.5")
    row.locator(".score-form button").click()
    page.locator("#candidates", has_text="合格").wait_for()
    screenshot(page, "evaluation-1-scores")
    page.click("text=提交成绩审核")
    page.locator("text=提交成绩审核").wait_for(state="detached")
    assert EvaluationSession.objects.get(pk=session.pk).status == "submitted"

    page.context.clear_cookies()
    login(page, live_server, personas.erin)
    page.goto(f"{live_server.url}/evaluation/sessions/{session.pk}/")
    page.click("text=审核通过并锁定成绩")
    certificate = Certificate.objects.get(person=personas.lixia_person)
    page.locator(f"#candidates a:has-text('{certificate.number}')").wait_for()
    screenshot(page, "evaluation-2-locked")

    page.click(f"#candidates a:has-text('{certificate.number}')")
    page.wait_for_url(f"{live_server.url}/evaluation/certificates/{certificate.pk}/")
    assert personas.lixia_person.name in page.content() and "有效" in page.content()
    screenshot(page, "evaluation-3-certificate")
